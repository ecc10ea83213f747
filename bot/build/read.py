"""Stage 0 of the build: the seeds folder -> `SeedFile`s, one per .txt file, line by line.

Every `.txt` file under the folder is read, recursively and in sorted order, as UTF-8 (a BOM
is stripped, CRLF and CR line ends are accepted). A file that is not UTF-8 but reads as
Windows-1252 (the Latin-1 superset older pages and Windows editors save) is read so and named
in the build report: its lines and their numbers are the same either way. Anything that would
make a later citation wrong is refused here with a `BuildError` that names the file, the line
and the fix: a missing or empty folder, an unreadable file, bytes that are neither (UTF-16,
say), NUL bytes (a binary file).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.build.article import Line
from bot.errors import BuildError

__all__ = ["SeedFile", "read_seed", "read_seeds"]


@dataclass(frozen=True, kw_only=True)
class SeedFile:
    path: Path  # where the file is on disk
    rel: str  # as cited: "<seeds folder name>/<path inside it>", forward slashes
    lines: tuple[Line, ...]  # every line, numbered from 1, without line ends
    encoding: str = "utf-8"  # or "cp1252" for a file that is not UTF-8 but reads as that


def read_seeds(seeds: Path) -> list[SeedFile]:
    """Read every .txt file under `seeds`, recursively, in sorted order of their paths."""
    if not seeds.exists():
        raise BuildError(f"{seeds}: seeds folder not found; create it and put .txt articles in it")
    if not seeds.is_dir():
        raise BuildError(f"{seeds}: not a folder; --seeds must name the folder of .txt articles")
    paths = sorted(
        (p for p in seeds.rglob("*.txt") if not p.is_dir()),
        key=lambda p: p.relative_to(seeds).as_posix(),
    )
    if not paths:
        raise BuildError(f"{seeds}: no .txt files in the seeds folder; put the news articles there")
    return [read_seed(p, f"{seeds.name}/{p.relative_to(seeds).as_posix()}") for p in paths]


def read_seed(path: Path, rel: str) -> SeedFile:
    """Read one seed file; `rel` is the name its citations will use."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise BuildError(f"{rel}: cannot read the file ({reason}); check its permissions") from exc
    text, encoding = _decode(data, rel)
    return SeedFile(path=path, rel=rel, lines=_lines(text), encoding=encoding)


def decode_lines(data: bytes, rel: str) -> tuple[Line, ...]:
    """Bytes of a seed file -> numbered lines, or a BuildError naming the first bad line."""
    return _lines(_decode(data, rel)[0])


def _decode(data: bytes, rel: str) -> tuple[str, str]:
    """The text of a seed file and the encoding it was read in."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BuildError(f"{rel}:1: UTF-16 text; save the file as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise BuildError(
            f"{rel}:{_line_of(data, nul)}: NUL byte, this looks like a binary file; "
            "seeds must be plain text (.txt, UTF-8)"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise BuildError(
                f"{rel}:{_line_of(data, exc.start)}: not UTF-8 (byte 0x{data[exc.start]:02x}); "
                "save the file as UTF-8"
            ) from exc


def _lines(text: str) -> tuple[Line, ...]:
    # splitlines() would also split on form feeds and U+2028, which editors show as one line;
    # citations must count lines the way `grep -n` and editors do.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]
    if not text:
        return ()
    return tuple(Line(number=i, text=t) for i, t in enumerate(text.split("\n"), start=1))


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1
