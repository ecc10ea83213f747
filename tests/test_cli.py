"""The CLI turns every BriefbotError into one line on stderr and exit code 2."""

from pathlib import Path

import pytest

from bot.__main__ import EXIT_ERROR, main


def test_a_malformed_config_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("matching:\n  answer_cutoff: [\n", encoding="utf-8")
    assert main(["check", "--config", str(config)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert err.startswith(f"briefbot: {config}")
    assert "not valid YAML" in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_check_without_briefs_says_to_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("briefs: nowhere\n", encoding="utf-8")
    assert main(["check", "--config", str(config)]) == EXIT_ERROR
    assert "run `briefbot build`" in capsys.readouterr().err


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["fly"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
