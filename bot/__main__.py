"""The `briefbot` command: build | ask | chat | run [--port N] | check.

The only place that sets up logging and turns a BriefbotError into one line on stderr and
exit code 2. Imports are local to each command so `briefbot ask` starts fast (no Telegram).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import TOKEN_ENV, Config, load_config
from bot.errors import BriefbotError

EXIT_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot",
        description="Cited news briefs from a corpus of articles, in Telegram or the terminal.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", type=Path, default=None, help="config file (default: ./config.yaml)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", parents=[common], help="condense seeds/ into briefs/")
    p.add_argument(
        "--seeds", type=Path, default=None, help="folder of .txt articles (default from config)"
    )
    p.add_argument(
        "--out", type=Path, default=None, help="folder for the briefs (default from config)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("ask", parents=[common], help="answer questions in the terminal")
    p.add_argument("questions", nargs="*", help="questions; none: read one per line from stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per question and line")

    sub.add_parser("chat", parents=[common], help="an interactive session in the terminal")
    p = sub.add_parser(
        "run",
        parents=[common],
        help=f"build briefs if stale, then start the bot (terminal chat if {TOKEN_ENV} is unset)",
    )
    p.add_argument(
        "--port",
        type=_port,
        default=None,
        help="webhook port, instead of telegram.webhook.port (several replicas on one host)",
    )
    sub.add_parser("check", parents=[common], help="validate config.yaml and every brief")
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1-65535)")
    return port


def with_port(config: Config, port: int | None) -> Config:
    """`config` with telegram.webhook.port replaced by `port` (None: as configured)."""
    if port is None:
        return config
    webhook = dataclasses.replace(config.telegram.webhook, port=port)
    telegram = dataclasses.replace(config.telegram, webhook=webhook)
    return dataclasses.replace(config, telegram=telegram)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Bot API URLs carry the token: keep the HTTP libraries' request lines out of the logs.
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        config = load_config(args.config)
        return _dispatch(args, config)
    except BriefbotError as exc:
        print(f"briefbot: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, config: Config) -> int:
    if args.command == "build":
        from bot.build import build

        report = build(config, seeds=args.seeds, out=args.out, progress=not args.quiet)
        print(report.format())
        return 0
    if args.command == "check":
        from bot.briefs import load_briefs

        briefs = load_briefs(config.briefs)
        print(f"{config.path}: ok; {len(briefs)} briefs in {config.briefs}: ok")
        return 0
    if args.command == "ask":
        from bot.terminal import ask

        return ask(config, args.questions, as_json=args.json, stdin=sys.stdin, stdout=sys.stdout)
    if args.command == "chat":
        from bot.terminal import chat

        return chat(config, stdin=sys.stdin, stdout=sys.stdout)
    if args.command == "run":
        from bot.build import ensure_briefs

        ensure_briefs(config)
        if config.token is None:
            print(
                f"{TOKEN_ENV} is not set: starting the terminal chat instead of the Telegram bot.\n"
                "See README.md to create a bot with BotFather.",
                file=sys.stderr,
            )
            from bot.terminal import chat

            return chat(config, stdin=sys.stdin, stdout=sys.stdout)
        from bot.tg.app import run_bot

        run_bot(with_port(config, args.port))
        return 0
    raise AssertionError(args.command)  # argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
