"""The terminal front end: `briefbot ask` (one-shot, text or JSON lines) and `briefbot chat`.

Both load the briefs once and render the engine's `Answer` as plain text:

    An estimated 2,000 to 3,000 Russian civilians remain. [1]

    Sources:
      [1] The New York Times, "The Fiercest Fighting ...", 2025-02-10, seeds/000_d182a795cbf2b895.txt:4
    Topic: The battle for Kursk (kursk-fighting)
    Next: Brief me on The battle for Kursk

Nothing here imports Telegram, so `briefbot ask` starts in a fraction of a second.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from typing import TextIO

from bot.answer import Answer, Citation
from bot.config import Config
from bot.engine import Engine

CHAT_HELP = (
    "Ask a question in plain words, or:\n"
    "  /topics          the topics I have briefs on\n"
    "  /brief <topic>   a topic's summary (a title, a slug or a few words)\n"
    "  /help            this help\n"
    "  /quit            leave (or Ctrl-D)"
)


def render(answer: Answer) -> str:
    """An answer as the terminal prints it: the reply, its sources, the topic, a next question."""
    lines = [answer.text]
    if answer.citations:
        lines += ["", "Sources:"]
        # One line per article, as the Telegram reply does: "[1, 2] ..., seeds/x.txt:4,21".
        articles: dict[tuple[str, str, str | None, str], list[Citation]] = {}
        for c in answer.citations:
            file = c.source.rpartition(":")[0] or c.source
            articles.setdefault((c.outlet, c.title, c.date, file), []).append(c)
        for (outlet, title, date, file), cs in articles.items():
            numbers = ", ".join(str(c.n) for c in cs)
            cited = ",".join(c.source.rpartition(":")[2] for c in cs)
            when = f", {date}" if date else ""
            lines.append(f'  [{numbers}] {outlet}, "{title}"{when}, {file}:{cited}')
    if answer.topic is not None:
        lines.append(f"Topic: {answer.topic_title} ({answer.topic})")
    if answer.suggestions and answer.kind in ("decline", "ambiguous"):
        lines.append("Try: " + ", ".join(f"/brief {s}" for s in answer.suggestions))
    if answer.hint:
        lines.append(f"Next: {answer.hint}")
    return "\n".join(lines)


def ask(
    config: Config,
    questions: Sequence[str],
    *,
    as_json: bool,
    stdin: TextIO,
    stdout: TextIO,
) -> int:
    """Answer `questions`, or one question per line of `stdin` when there are none."""
    engine = Engine.load(config)
    try:
        _ask_all(engine, questions, as_json=as_json, stdin=stdin, stdout=stdout)
    except BrokenPipeError:
        _silence(stdout)  # `briefbot ask ... | head` closed the pipe: not an error
    return 0


def _ask_all(
    engine: Engine, questions: Sequence[str], *, as_json: bool, stdin: TextIO, stdout: TextIO
) -> None:
    source: Iterator[str] | Sequence[str] = questions if questions else _lines(stdin)
    first = True
    for question in source:
        answer = engine.ask(question)
        if as_json:
            stdout.write(json.dumps(answer.to_json(), ensure_ascii=False) + "\n")
        else:
            if not first:
                stdout.write("\n")
            if len(questions) != 1:
                stdout.write(f"Q: {question}\n")
            stdout.write(render(answer) + "\n")
        stdout.flush()
        first = False


def chat(config: Config, *, stdin: TextIO, stdout: TextIO) -> int:
    """An interactive session: questions and commands until /quit or end of input."""
    engine = Engine.load(config)
    try:
        return _session(engine, stdin=stdin, stdout=stdout)
    except BrokenPipeError:
        _silence(stdout)
        return 0


def _session(engine: Engine, *, stdin: TextIO, stdout: TextIO) -> int:

    def say(text: str) -> None:
        stdout.write(text + "\n")
        stdout.flush()

    say(f"Briefbot: {len(engine.briefs)} topic briefs loaded. {CHAT_HELP}")
    lines = _lines(stdin)
    while True:
        stdout.write("\n> ")
        stdout.flush()
        try:
            line = next(lines)
        except (StopIteration, KeyboardInterrupt):
            say("")
            return 0
        text = line.strip()
        if not text:
            continue
        command, _, arg = text.partition(" ")
        if not command.startswith("/"):
            say(render(engine.ask(line)))
        elif command in ("/quit", "/exit", "/q"):
            return 0
        elif command in ("/help", "/start"):
            say(CHAT_HELP)
        elif command == "/topics":
            say(_topics(engine))
        elif command == "/brief":
            say(_brief(engine, arg.strip()))
        else:
            say(f"Unknown command {command!r}.\n{CHAT_HELP}")


def _topics(engine: Engine) -> str:
    if not len(engine.briefs):
        return "There are no briefs yet; run `briefbot build`."
    return "\n".join(f"  {b.title}  (/brief {b.slug})" for b in engine.briefs)


def _brief(engine: Engine, arg: str) -> str:
    if not arg:
        return "Which topic? Type /brief followed by a topic, e.g. /brief " + next(
            (b.slug for b in engine.briefs), "<topic>"
        )
    found = engine.find_topics(arg, limit=1)
    if not found:
        return f"No topic matches {arg!r}. /topics lists them all."
    return render(engine.overview(found[0][0]))


def _silence(stdout: TextIO) -> None:
    """Point a closed stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        fd = stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)


def _lines(stream: TextIO) -> Iterator[str]:
    """Lines without their newline; undecodable bytes become U+FFFD instead of an exception."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        for raw in buffer:
            yield raw.decode("utf-8", errors="replace").rstrip("\r\n")
        return
    for line in stream:
        yield line.rstrip("\r\n")
