"""`briefbot build`: scraped seed files -> one cited YAML brief per topic.

    build(config)          run the pipeline (bot/build/pipeline.py) and return its report
    ensure_briefs(config)  build only when briefs/ is missing or stale (seeds or settings changed);
                           processes starting together (replicas) build once, the others wait

The stages live in their own modules and are imported only when a build runs, so `briefbot run`
with fresh briefs does not pay for numpy.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.briefs import INDEX_FILE, read_yaml
from bot.errors import BriefbotError, BuildError

if TYPE_CHECKING:
    from bot.build.report import BuildReport
    from bot.config import Config

__all__ = ["build", "ensure_briefs"]


def build(
    config: Config, *, seeds: Path | None = None, out: Path | None = None, progress: bool = True
) -> BuildReport:
    """Build the briefs from `seeds` (default config.seeds) into `out` (default config.briefs)."""
    from bot.build.pipeline import run

    return run(config, seeds=seeds or config.seeds, out=out or config.briefs, progress=progress)


def ensure_briefs(config: Config, *, progress: bool = True) -> BuildReport | None:
    """Build when briefs/ is missing, unreadable, or made from other seeds or build settings."""
    if _fresh(config):
        return None
    # Replicas started together on stale briefs would each build and swap the same folder,
    # and two swaps at once can fail one of them: one builds, the others wait and find it fresh.
    with _build_lock(config.briefs):
        if _fresh(config):
            return None
        return build(config, progress=progress)


def _fresh(config: Config) -> bool:
    from bot.build.write import build_settings, corpus_fingerprint, seed_files

    current = corpus_fingerprint(seed_files(config.seeds), build_settings(config))
    try:
        index = read_yaml(config.briefs / INDEX_FILE)
    except BriefbotError:
        index = None
    return isinstance(index, dict) and index.get("corpus") == current


@contextmanager
def _build_lock(briefs: Path) -> Iterator[None]:
    """An exclusive lock beside the briefs folder, held while one process builds into it."""
    path = briefs.resolve().parent / f".{briefs.name}.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
    except OSError as exc:
        raise BuildError(f"{path}: cannot create the build lock ({exc.strerror})") from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed, or the process dies
        yield
