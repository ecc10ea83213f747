"""A brief set and its index kept on disk beside the briefs, so a process starts at once.

Indexing reads every sentence through dozens of patterns: 200 briefs built from the BBC corpus
take about 7 s to index (and 1.5 s to parse), where reading the finished index back takes
0.2 s. `briefbot ask`, the bot's start and /reload would pay the 8 s each time.

The cache is one file beside the briefs folder (`.briefs.index` for `briefs/`, like the
build's `.briefs.lock`), used only when its key matches: a hash of every brief file's bytes,
the matching options, the Python version and the source of the `bot` package. Anything else (no
file, another key, a truncated or unreadable file, a folder this process may not write) means
the briefs are loaded and validated as they always are, and the cache is written anew. A broken
brief never comes from the cache: its bytes give another key, so it is validated, and fails.

The file is a pickle, so it is trusted as the code is: only this program writes it, next to
briefs it also trusts.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path

from bot.briefs import BriefSet, load_briefs
from bot.match import MatchIndex, MatchOptions

log = logging.getLogger(__name__)

# Raised when the file's layout changes, so an old file is never misread.
FORMAT = b"briefbot-index-1"
PACKAGE = Path(__file__).resolve().parent


def cache_path(folder: Path) -> Path:
    """Where the index of the briefs in `folder` is kept: a hidden file beside the folder."""
    folder = folder.resolve()
    return folder.parent / f".{folder.name}.index"


def load_indexed(folder: Path, options: MatchOptions | None = None) -> tuple[BriefSet, MatchIndex]:
    """The brief set in `folder` and its index: from the cache when it matches, else loaded,
    validated (BriefError on a broken brief), indexed and cached for the next process."""
    path = cache_path(folder)
    key = _key(folder, options)
    if key is not None:
        cached = _read(path, key)
        if cached is not None:
            return cached
    briefs = load_briefs(folder)
    index = MatchIndex.build(briefs, options)
    # Written only if the files did not change while they were read (a build swapping the
    # folder in): the key must describe what was loaded.
    if key is not None and _key(folder, options) == key:
        _write(path, key, (briefs, index))
    return briefs, index


def _key(folder: Path, options: MatchOptions | None) -> bytes | None:
    digest = hashlib.sha256(FORMAT)
    digest.update(sys.version.encode())
    digest.update(_code_fingerprint())
    digest.update(repr(options or MatchOptions()).encode())
    try:
        for path in sorted(folder.glob("*.yaml")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return None  # load_briefs reports what is wrong with the folder
    return digest.hexdigest().encode()


@functools.cache
def _code_fingerprint() -> bytes:
    """The package's source and data: a changed rule makes every cached index stale."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt"):
            digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.digest()


def _read(path: Path, key: bytes) -> tuple[BriefSet, MatchIndex] | None:
    try:
        with path.open("rb") as f:
            if f.readline().rstrip(b"\n") != key:
                return None
            # Hundreds of thousands of new objects, none in a cycle: the collector would
            # only rescan them.
            enabled = gc.isenabled()
            gc.disable()
            try:
                loaded = pickle.load(f)
            finally:
                if enabled:
                    gc.enable()
    except FileNotFoundError:
        return None
    except Exception as e:  # a truncated or foreign file: load the briefs instead
        log.warning("ignoring the index cache %s: %s", path, e)
        return None
    if (
        not isinstance(loaded, tuple)
        or len(loaded) != 2
        or not isinstance(loaded[0], BriefSet)
        or not isinstance(loaded[1], MatchIndex)
    ):
        log.warning("ignoring the index cache %s: not an index", path)
        return None
    return loaded[0], loaded[1]


def _write(path: Path, key: bytes, value: tuple[BriefSet, MatchIndex]) -> None:
    """Atomically: a reader sees the old file or the new one, never half of one."""
    tmp = None
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=path.name + ".", suffix=".tmp", delete=False
        ) as f:
            tmp = Path(f.name)
            f.write(key + b"\n")
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        tmp = None
    except (OSError, pickle.PicklingError, RecursionError) as e:
        log.info("index not cached at %s: %s", path, e)
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
