"""bot.terminal and the `briefbot ask` / `briefbot chat` commands, on the fixture briefs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import Config
from bot.terminal import ask, chat

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "data" / "fixture_briefs"
CONFIG = Config(briefs=FIXTURE)


class Stdin(io.StringIO):
    """A text stdin with a byte buffer underneath, as sys.stdin has."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.buffer = io.BytesIO(data)


def run_ask(*questions: str, as_json: bool = False, stdin: bytes = b"") -> str:
    out = io.StringIO()
    assert ask(CONFIG, list(questions), as_json=as_json, stdin=Stdin(stdin), stdout=out) == 0
    return out.getvalue()


def test_ask_prints_answer_sources_topic_and_hint() -> None:
    text = run_ask("how many civilians are still in kursk?")
    lines = text.splitlines()
    assert "2,000 to 3,000" in lines[0] and "[1]" in lines[0]
    assert "Sources:" in lines
    sources = [line for line in lines if line.startswith("  [")]
    assert sources == [
        '  [1] The New York Times, "The Fiercest Fighting of the Ukraine War May Be in Russia", '
        "2025-02-10, seeds/000_d182a795cbf2b895.txt:21"
    ]
    assert "Topic: The battle for Kursk (kursk-fighting)" in lines
    assert lines[-1].startswith("Next: ")


def test_sentences_of_one_article_share_a_source_line() -> None:
    lines = run_ask("how many people died in sudzha").splitlines()
    assert [line for line in lines if line.startswith("  [")] == [
        '  [1, 2] The New York Times, "The Fiercest Fighting of the Ukraine War May Be in Russia", '
        "2025-02-10, seeds/000_d182a795cbf2b895.txt:46,47"
    ]


def test_ask_decline_offers_topics_as_commands() -> None:
    text = run_ask("what's the weather in moscow")
    assert text.startswith("I have no brief on that.")
    assert "Sources:" not in text
    assert "Topic:" not in text


def test_ask_json_one_object_per_question_in_order() -> None:
    text = run_ask("S-400", "what's the weather in moscow", as_json=True)
    rows = [json.loads(line) for line in text.splitlines()]
    assert [r["question"] for r in rows] == ["S-400", "what's the weather in moscow"]
    assert set(rows[0]) == {
        "question",
        "answered",
        "topic",
        "confidence",
        "answer",
        "citations",
        "suggestions",
    }
    assert rows[0]["answered"] is True and rows[0]["topic"] == "india-russia-ties"
    assert rows[0]["citations"][0]["source"].startswith("seeds/001_779b2a8a156a4e38.txt:")
    assert rows[1]["answered"] is False and rows[1]["topic"] is None


def test_ask_json_reads_stdin_one_question_per_line_even_binary() -> None:
    data = b"S-400\n\nhegseth nato\n" + b"\xff\xfe\x00\x01\n"
    rows = [json.loads(line) for line in run_ask(as_json=True, stdin=data).splitlines()]
    assert [r["question"] for r in rows][:3] == ["S-400", "", "hegseth nato"]
    assert [r["answered"] for r in rows] == [True, False, True, False]
    assert rows[1]["answer"].startswith("Please type a question")
    assert "does not look like a question" in rows[3]["answer"]


def test_ask_several_questions_are_labelled() -> None:
    text = run_ask("S-400", "kursk")
    assert text.startswith("Q: S-400\n")
    assert "\nQ: kursk\n" in text


def run_chat(typed: str) -> str:
    out = io.StringIO()
    assert chat(CONFIG, stdin=Stdin(typed.encode()), stdout=out) == 0
    return out.getvalue()


def test_chat_answers_and_runs_commands_until_quit() -> None:
    text = run_chat(
        "/topics\n/brief india\nS-400\n/bogus\n/brief\n/brief zzzz\n/quit\nnever read\n"
    )
    assert "3 topic briefs loaded" in text
    assert "  India and Russia ties  (/brief india-russia-ties)" in text
    assert "Topic: India and Russia ties (india-russia-ties)" in text
    assert "S-400" in text
    assert "Unknown command '/bogus'" in text
    assert "Which topic?" in text
    assert "No topic matches 'zzzz'" in text
    assert "never read" not in text


def test_chat_ends_cleanly_at_end_of_input() -> None:
    assert run_chat("").rstrip().endswith(">")
    assert "Please type a question" not in run_chat("\n\n")


def test_cli_ask_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"briefs: {FIXTURE}\n", encoding="utf-8")
    assert main(["ask", "--config", str(config), "--json", "S-400"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["topic"] == "india-russia-ties"


def test_cli_ask_without_briefs_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"briefs: {tmp_path / 'none'}\n", encoding="utf-8")
    assert main(["ask", "--config", str(config), "S-400"]) == 2
    err = capsys.readouterr().err.strip()
    assert "briefbot build" in err and "\n" not in err


def test_terminal_never_imports_telegram() -> None:
    code = "import sys, bot.terminal, bot.engine; assert 'telegram' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


class ClosedPipe(io.StringIO):
    """A stdout whose reader has gone away, as with `briefbot ask ... | head -1`."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_ends_quietly() -> None:
    assert ask(CONFIG, ["S-400"], as_json=True, stdin=Stdin(b""), stdout=ClosedPipe()) == 0
    assert chat(CONFIG, stdin=Stdin(b"S-400\n"), stdout=ClosedPipe()) == 0
