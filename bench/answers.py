"""Score the answering engine on tests/data/questions.yaml, side by side with a BM25 baseline.

    .venv/bin/python bench/answers.py                      # briefs from config.yaml
    .venv/bin/python bench/answers.py --briefs DIR -v      # another brief set, list the misses
    .venv/bin/python bench/answers.py --bbc                # also tests/data/bbc_questions.yaml
                                                           # on briefs built from the BBC corpus
    .venv/bin/python bench/answers.py --bbc --bbc-briefs /tmp/bbc   # build them once, reuse

The baseline is bm25s over every sentence of the raw seeds (no cleaning), replying with its
top sentences up to the engine's reply length for the same question; it declines only when
no sentence shares a word with the question. Figures are given for the tuned part, the
held-out part (written with the matcher), the fresh and fresh2 parts (each written later, and
scored before the engine was changed after it), the fresh3 to fresh14 parts
(written after those changes, each scored once before the next round of changes; fresh14,
the last, scored only in aggregate and never looked into), the near-miss probes (all
must-decline) and all questions. The BBC set has the same split: "bbc" (written with the
matcher), "bbc fresh" (scored once, then its misses read) and "bbc fresh2" to "bbc fresh8"
(written blind to the engine; fresh8 like fresh14: the honest figures for unseen questions).
"Overall" is the share of all questions handled right:
answerable ones answered with the expected text, must-decline ones declined.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answer import Answer  # noqa: E402
from bot.config import Config, load_config  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.text import normalize, tokens  # noqa: E402

GROUPS = [
    "tuned",
    "held-out",
    "fresh",
    "fresh2",
    "fresh3",
    "fresh4",
    "fresh5",
    "fresh6",
    "fresh7",
    "fresh8",
    "fresh9",
    "fresh10",
    "fresh11",
    "fresh12",
    "fresh13",
    "fresh14",
    "probes",
]
SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")


@dataclass(frozen=True, kw_only=True)
class Case:
    q: str
    kind: str
    expect: tuple[str, ...]
    # "tuned", "held-out" (written with the matcher), "fresh", "fresh2" (each written later,
    # and scored before the engine changed after it), "fresh3" to "fresh6" (written
    # after those changes, scored once before the next),
    # "probes" (near-miss declines written to test declines)
    group: str

    @property
    def held_out(self) -> bool:
        return self.group != "tuned"

    @property
    def must_decline(self) -> bool:
        return not self.expect


@dataclass(frozen=True, kw_only=True)
class Outcome:
    case: Case
    answered: bool
    correct: bool  # answerable: answered with an expected string; must-decline: declined
    reply_len: int
    seconds: float
    reply: str


def load_cases(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    return [
        Case(
            q=str(d["q"]),
            kind=str(d["kind"]),
            expect=tuple(d.get("expect") or ()),
            group=str(d.get("set") or ("held-out" if d.get("held_out") else "tuned")),
        )
        for d in data
    ]


def contains_any(reply: str, expected: tuple[str, ...]) -> bool:
    text = normalize(reply)
    return any(normalize(e) in text for e in expected)


def body(answer: Answer) -> str:
    """The reply's sentences without citation markers: what the length figure measures."""
    return " ".join(s.text for s in answer.sentences)


def run_engine(engine: Engine, cases: list[Case]) -> list[Outcome]:
    out = []
    for case in cases:
        start = time.perf_counter()
        answer = engine.ask(case.q)
        seconds = time.perf_counter() - start
        reply = body(answer)
        answered = answer.answered
        correct = (
            not answered and answer.kind in ("decline", "invalid")
            if case.must_decline
            else answered and contains_any(reply, case.expect)
        )
        out.append(
            Outcome(
                case=case,
                answered=answered,
                correct=correct,
                reply_len=len(reply),
                seconds=seconds,
                reply=f"[{answer.kind} {answer.topic} {answer.confidence:.2f}] {answer.text}",
            )
        )
    return out


class Baseline:
    """bm25s over every sentence of every seed file, raw."""

    def __init__(self, seeds: Path) -> None:
        import bm25s

        self.sentences: list[str] = []
        for path in sorted(seeds.rglob("*.txt")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                self.sentences += [s for s in SENTENCE_END.split(line.strip()) if s]
        self.retriever = bm25s.BM25()
        self.retriever.index([tokens(s) for s in self.sentences], show_progress=False)
        self.vocab = {t for s in self.sentences for t in tokens(s)}

    def reply(self, question: str, length: int) -> str:
        words = [t for t in tokens(question) if t in self.vocab]
        if not words:
            return ""
        k = min(10, len(self.sentences))
        docs, scores = self.retriever.retrieve([words], k=k, show_progress=False)
        picked: list[str] = []
        total = 0
        for idx, score in zip(docs[0], scores[0], strict=True):
            if score <= 0:
                break
            text = self.sentences[int(idx)]
            if picked and total + len(text) > length:
                break
            picked.append(text)
            total += len(text) + 1
        return " ".join(picked)


def run_baseline(baseline: Baseline, cases: list[Case], engine_out: list[Outcome]) -> list[Outcome]:
    lengths = [o.reply_len for o in engine_out if o.answered]
    typical = int(statistics.median(lengths)) if lengths else 300
    out = []
    for case, eo in zip(cases, engine_out, strict=True):
        start = time.perf_counter()
        reply = baseline.reply(case.q, eo.reply_len if eo.answered else typical)
        seconds = time.perf_counter() - start
        answered = bool(reply)
        correct = (
            not answered if case.must_decline else answered and contains_any(reply, case.expect)
        )
        out.append(
            Outcome(
                case=case,
                answered=answered,
                correct=correct,
                reply_len=len(reply),
                seconds=seconds,
                reply=reply,
            )
        )
    return out


def reachable(engine: Engine, cases: list[Case]) -> list[Case]:
    """The answerable cases whose expected text is in some brief sentence at all.

    A case outside this set fails however good the matcher is: the build left its sentence out.
    """
    held = normalize(" ".join(s.item.text for s in engine.index.sentences))
    return [c for c in cases if c.expect and any(normalize(e) in held for e in c.expect)]


def figures(outcomes: list[Outcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if not o.case.must_decline]
    declines = [o for o in outcomes if o.case.must_decline]
    lengths = [o.reply_len for o in outcomes if o.answered]
    ms = sorted(o.seconds * 1000 for o in outcomes)

    def share(xs: list[Outcome], pred: Any) -> float:
        return 100.0 * sum(1 for o in xs if pred(o)) / len(xs) if xs else float("nan")

    return {
        "n": len(outcomes),
        "answered correctly %": share(answerable, lambda o: o.correct),
        "declined correctly %": share(declines, lambda o: o.correct),
        "wrongly declined %": share(answerable, lambda o: not o.answered),
        "overall %": share(outcomes, lambda o: o.correct),
        "median reply chars": statistics.median(lengths) if lengths else 0,
        "p50 ms": percentile(ms, 50),
        "p99 ms": percentile(ms, 99),
    }


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def table(columns: dict[str, dict[str, float]]) -> str:
    rows = list(next(iter(columns.values())))
    width = max(len(r) for r in rows) + 2
    head = "".ljust(width) + "".join(name.rjust(16) for name in columns)
    lines = [head, "-" * len(head)]
    for r in rows:
        cells = []
        for col in columns.values():
            v = col[r]
            cells.append((f"{v:.0f}" if r in ("n", "median reply chars") else f"{v:.1f}").rjust(16))
        lines.append(r.ljust(width) + "".join(cells))
    return "\n".join(lines)


def bbc(
    config: Config, cases: list[Case], corpus: Path, briefs: Path | None
) -> tuple[str, list[Outcome]]:
    """Score the BBC question set on briefs built from the BBC corpus, beside BM25 on its text.

    The briefs are built into `briefs` when it holds none yet (so a second run can reuse them),
    else into a temporary folder. p99 also counts a question on each brief's title and people,
    so every topic gets hit.
    """
    try:
        from bot.build import build
    except ImportError:
        return "BBC: bot.build.build does not exist yet; no figure.", []
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = briefs or Path(tmp)
        built = "reused"
        if not (out_dir / "index.yaml").exists():
            start = time.perf_counter()
            build(
                replace(config, seeds=corpus, briefs=out_dir),
                seeds=corpus,
                out=out_dir,
                progress=False,
            )
            built = f"built in {time.perf_counter() - start:.1f} s"
        t0 = time.perf_counter()
        engine = Engine.load(replace(config, briefs=out_dir))  # as the bot loads it
        load_ms = (time.perf_counter() - t0) * 1000
        engine.ask("warm up")
        out = run_engine(engine, cases)
        base = run_baseline(Baseline(corpus), cases, out)
        extra = [Case(q=b.title, kind="overview", expect=(), group="tuned") for b in engine.briefs]
        extra += [
            Case(q=f"what did {p} say", kind="who-said", expect=(), group="tuned")
            for b in engine.briefs
            for p in b.people[:2]
        ]
        timed = run_engine(engine, cases + extra)
        groups = list(dict.fromkeys(c.group for c in cases))
        ms = sorted(o.seconds * 1000 for o in timed)
        lines = [
            f"BBC ({corpus}): {len(engine.briefs)} briefs {built}, loaded and "
            f"{len(engine.index.sentences)} sentences indexed in {load_ms:.0f} ms; "
            f"{len(timed)} questions: p50 {percentile(ms, 50):.2f} ms, "
            f"p99 {percentile(ms, 99):.2f} ms",
            table(
                {f"engine {g}": figures([o for o in out if o.case.group == g]) for g in groups}
                | {"engine bbc all": figures(out), "bm25 bbc all": figures(base)}
            ),
        ]
        inside = set(reachable(engine, cases))
        answerable = [o for o in out if not o.case.must_decline]
        got = [o for o in answerable if o.case in inside and o.correct]
        lines.append(
            f"BBC: {len(inside)} of {len(answerable)} answerable questions have their answer in "
            f"a brief sentence; the engine answers {len(got)} of those"
        )
        misses = [o for o in out if not o.correct]
        return "\n".join(lines), misses


def cold_start(config: Config, runs: int = 5) -> str:
    """Wall time of `briefbot ask QUESTION` in a fresh interpreter, median of `runs`."""
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.yaml"
        path.write_text(f"briefs: {config.briefs}\nseeds: {config.seeds}\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "bot", "ask", "--config", str(path), "S-400"]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
            if done.returncode != 0:
                return f"cold start: `briefbot ask` failed: {done.stderr.decode()[:200]}"
    return (
        f"cold start `briefbot ask S-400`: median {statistics.median(times):.2f} s over {runs} runs"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--config", type=Path, default=ROOT / "config.yaml")
    p.add_argument("--briefs", type=Path, default=None, help="brief folder (default from config)")
    p.add_argument("--questions", type=Path, default=ROOT / "tests/data/questions.yaml")
    p.add_argument(
        "--bbc", action="store_true", help="also score bbc_questions.yaml on briefs built from BBC"
    )
    p.add_argument("--bbc-corpus", type=Path, default=ROOT.parent / "shared/corpora/bbc-news")
    p.add_argument("--bbc-questions", type=Path, default=ROOT / "tests/data/bbc_questions.yaml")
    p.add_argument(
        "--bbc-briefs", type=Path, default=None, help="build the BBC briefs here once, then reuse"
    )
    p.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = p.parse_args(argv)

    config = load_config(args.config)
    if args.briefs is not None:
        config = replace(config, briefs=args.briefs.resolve())
    cases = load_cases(args.questions)
    t0 = time.perf_counter()
    engine = Engine.load(config)  # as the bot and the CLI load it
    load_ms = (time.perf_counter() - t0) * 1000
    engine.ask("warm up")  # first-call imports are not a per-question cost
    out = run_engine(engine, cases)
    base = run_baseline(Baseline(config.seeds), cases, out)

    groups = sorted({c.group for c in cases}, key=GROUPS.index)
    held = [o for o in out if o.case.held_out]
    print(
        f"{len(cases)} questions ({len(held)} held out), {len(engine.briefs)} briefs in "
        f"{config.briefs}, loaded and {len(engine.index.sentences)} sentences indexed in "
        f"{load_ms:.0f} ms"
    )
    columns = {f"engine {g}": figures([o for o in out if o.case.group == g]) for g in groups}
    columns["engine all"] = figures(out)
    columns |= {f"bm25 {g}": figures([o for o in base if o.case.group == g]) for g in groups}
    columns["bm25 all"] = figures(base)
    print(table(columns))
    inside = set(reachable(engine, cases))
    answerable = [o for o in out if not o.case.must_decline]
    got = [o for o in answerable if o.case in inside and o.correct]
    print(
        f"{len(inside)} of {len(answerable)} answerable questions have their answer in a brief "
        f"sentence; the engine answers {len(got)} of those"
    )
    gap = figures(out)["overall %"] - figures(base)["overall %"]
    print(f"engine - baseline, overall: {gap:+.1f} points")
    print(cold_start(config))
    misses = [o for o in out if not o.correct]
    if args.bbc:
        report, bbc_misses = bbc(
            config,
            [
                replace(c, group="bbc" if c.group == "tuned" else f"bbc {c.group}")
                for c in load_cases(args.bbc_questions)
            ],
            args.bbc_corpus,
            args.bbc_briefs,
        )
        print(report)
        misses += bbc_misses
    if args.verbose:
        print("\nMisses (engine):")
        for o in misses:
            mark = {
                "tuned": " ",
                "held-out": "H",
                "fresh": "F",
                "fresh2": "2",
                "fresh3": "3",
                "fresh4": "4",
                "fresh5": "5",
                "fresh6": "6",
                "fresh7": "7",
                "fresh8": "8",
                "fresh9": "9",
                "fresh10": "X",
                "fresh11": "Y",
                "fresh12": "Z",
                "fresh13": "T",
                "fresh14": "U",
                "probes": "P",
            }.get(o.case.group, "B")
            want = "DECLINE" if o.case.must_decline else " | ".join(o.case.expect)
            print(
                f"{mark} [{o.case.kind}] {o.case.q!r}\n    want: {want}\n    got:  {o.reply[:220]}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
