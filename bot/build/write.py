"""Briefs -> the briefs folder, deterministic and atomic (stage 6 of the build).

Everything is written into a fresh folder beside the target, loaded back with
`bot.briefs.load_briefs` (the same validation the bot applies), and only then swapped in by
renaming. A failed build leaves the previous briefs untouched, and no topic file of an older
build lingers. The same briefs always give the same bytes: field order is fixed, lists keep
their order and nothing records the time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.briefs import (
    INDEX_FILE,
    Brief,
    Index,
    IndexEntry,
    brief_to_dict,
    dump_yaml,
    index_to_dict,
    load_briefs,
)
from bot.config import Config
from bot.errors import BriefbotError, BuildError


def seed_files(seeds: Path) -> list[tuple[str, Path]]:
    """(name as cited, path) of every .txt file under `seeds`, recursively, in name order.

    The cited name is relative to the seeds folder's parent: "seeds/000_x.txt".
    """
    seeds = seeds.resolve()
    if not seeds.is_dir():
        return []
    found = [
        (path.relative_to(seeds.parent).as_posix(), path)
        for path in seeds.rglob("*.txt")
        if path.is_file()
    ]
    return sorted(found)


def corpus_fingerprint(files: Iterable[tuple[str, Path]], settings: str = "") -> str:
    """sha256 over each seed file's relative name and bytes, in name order, and the settings
    that shape the briefs (`build_settings`), so a changed config.yaml also makes them stale."""
    digest = hashlib.sha256(settings.encode("utf-8") + b"\0")
    for rel, path in sorted(files):
        digest.update(rel.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def build_settings(config: Config) -> str:
    """The config sections the briefs depend on, as stable text (frozen dataclasses' repr).
    Matching too: the build keeps the example questions the engine answers."""
    return repr((config.build, config.topics, config.matching))


def render(briefs: Sequence[Brief], corpus: str) -> dict[str, str]:
    """File name -> YAML text for every brief and the index, in index order."""
    files: dict[str, str] = {}
    entries: list[IndexEntry] = []
    for brief in briefs:
        entry = IndexEntry.of(brief)
        files[entry.file] = dump_yaml(brief_to_dict(brief))
        entries.append(entry)
    index = Index(corpus=corpus, topics=tuple(entries))
    files[INDEX_FILE] = dump_yaml(index_to_dict(index))
    return files


def write_briefs(briefs: Sequence[Brief], corpus: str, out: Path) -> None:
    """Replace the folder `out` with these briefs, all or nothing."""
    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as exc:
        raise BuildError(f"{out}: cannot create the briefs folder ({exc.strerror})") from None
    try:
        for name, text in render(briefs, corpus).items():
            (staging / name).write_text(text, encoding="utf-8")
        try:
            load_briefs(staging)
        except BriefbotError as exc:
            raise BuildError(
                f"the build made an invalid brief, nothing was written: {exc}"
            ) from None
        _swap(staging, out)
    except OSError as exc:
        raise BuildError(f"{out}: cannot write the briefs ({exc})") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out: Path) -> None:
    # A directory cannot be os.replace'd over a non-empty one: move the old one aside first,
    # so at every moment `out` is either the complete old set or the complete new one.
    if not out.exists():
        os.replace(staging, out)
        return
    if not out.is_dir():
        raise BuildError(f"{out}: exists and is not a folder; move it away or choose --out")
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.replace(out, old / out.name)
    try:
        os.replace(staging, out)
    except OSError:
        os.replace(old / out.name, out)  # put the previous briefs back
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
