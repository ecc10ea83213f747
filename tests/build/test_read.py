"""Stage 0: every .txt under the seeds folder, line by line, or a BuildError naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.build.read import read_seeds
from bot.errors import BuildError

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_reads_every_txt_file_recursively_in_sorted_order(tmp_path: Path) -> None:
    seeds = tmp_path / "corpus"
    write(seeds / "world" / "002.txt", b"Second\n")
    write(seeds / "business" / "001.txt", b"First\n")
    write(seeds / "000.txt", b"Zeroth\n")
    write(seeds / "README.md", b"not a seed\n")

    files = read_seeds(seeds)

    assert [f.rel for f in files] == [
        "corpus/000.txt",
        "corpus/business/001.txt",
        "corpus/world/002.txt",
    ]
    assert files[1].path == seeds / "business" / "001.txt"


def test_lines_are_numbered_from_one_without_line_ends(tmp_path: Path) -> None:
    write(tmp_path / "s" / "a.txt", b"\xef\xbb\xbfHeadline\r\n\r\nBody line.\r\nLast line")

    [file] = read_seeds(tmp_path / "s")

    assert [(line.number, line.text) for line in file.lines] == [
        (1, "Headline"),  # the BOM is gone
        (2, ""),
        (3, "Body line."),
        (4, "Last line"),
    ]


def test_lines_are_counted_as_editors_count_them(tmp_path: Path) -> None:
    # A form feed or U+2028 inside a line does not start a new one: citations must agree with grep -n.
    write(tmp_path / "s" / "a.txt", "one\x0cstill one\u2028and still\nTwo\n".encode())

    [file] = read_seeds(tmp_path / "s")

    assert [line.number for line in file.lines] == [1, 2]


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"nowhere: seeds folder not found"):
        read_seeds(tmp_path / "nowhere")


def test_a_folder_without_txt_files_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "s" / "notes.md", b"# not a seed\n")

    with pytest.raises(BuildError, match=r"s: no \.txt files in the seeds folder"):
        read_seeds(tmp_path / "s")


def test_a_windows_1252_file_is_read_as_such_with_its_lines_where_they_were(
    tmp_path: Path,
) -> None:
    text = "Headline\nGood line\nCaf\xe9 au lait \u2019til noon \u2013 \u20ac5\n"
    write(tmp_path / "s" / "latin1.txt", text.encode("cp1252"))

    [file] = read_seeds(tmp_path / "s")

    assert file.encoding == "cp1252"
    assert [line.text for line in file.lines] == text.splitlines()


def test_bytes_neither_utf8_nor_windows_1252_name_the_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / "s" / "odd.txt", b"Headline\nGood line\nCaf\xe9 \x81 au lait\n")

    with pytest.raises(BuildError) as caught:
        read_seeds(tmp_path / "s")

    assert str(caught.value) == ("s/odd.txt:3: not UTF-8 (byte 0xe9); save the file as UTF-8")


def test_nul_bytes_are_refused_as_a_binary_file(tmp_path: Path) -> None:
    write(tmp_path / "s" / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

    with pytest.raises(
        BuildError, match=r"s/image\.txt:3: NUL byte, this looks like a binary file"
    ):
        read_seeds(tmp_path / "s")


def test_utf16_is_named_as_such_not_as_binary(tmp_path: Path) -> None:
    write(tmp_path / "s" / "word-export.txt", "Headline\nBody.\n".encode("utf-16"))

    with pytest.raises(
        BuildError, match=r"s/word-export\.txt:1: UTF-16 text; save the file as UTF-8"
    ):
        read_seeds(tmp_path / "s")


def test_an_empty_file_has_no_lines(tmp_path: Path) -> None:
    write(tmp_path / "s" / "empty.txt", b"")

    [file] = read_seeds(tmp_path / "s")

    assert file.lines == ()


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "gone.txt").symlink_to(tmp_path / "deleted-target.txt")

    with pytest.raises(BuildError, match=r"s/gone\.txt: cannot read the file \(No such file"):
        read_seeds(tmp_path / "s")


def test_the_real_seeds_read_as_five_files_of_1964_lines() -> None:
    files = read_seeds(SEEDS)

    assert [f.rel for f in files] == [
        "seeds/000_d182a795cbf2b895.txt",
        "seeds/001_779b2a8a156a4e38.txt",
        "seeds/002_84c988ee36998c84.txt",
        "seeds/003_ca84f9757404aab9.txt",
        "seeds/004_71c4f707bff2a7cb.txt",
    ]
    assert sum(len(f.lines) for f in files) == 1964
    assert files[0].lines[0].text == "The Fiercest Fighting of the Ukraine War May Be in Russia"
