"""Machine instructions of the bot's event-loop process per answer, counted by callgrind: the
process serving HTTP (acknowledgements, the job queue, Redis, the posts to Slack, the estimate
worker's pipe), not the estimate worker, for a fixed load, checkouts side by side.

Run: python benchmarks/loop_instructions.py --tree /work/main --tree . [--commands 40]
        [--concurrency 1] [--repeats 2]

Each checkout's bot runs under valgrind (instrumentation off until warmed up: imports, the
worker's start, ten commands and their follow-ups), then the count covers `--commands` distinct
/aicost texts of benchmarks/corpus.py and the follow-ups and clicks in their threads, sent
`--concurrency` at a time; the figure is that count over the answers (estimates and thread
answers). Under callgrind the loop runs about 50 times slower: with more than one request in
flight its Redis budgets (0.2-0.5 s) run out and slow saves are made again, so counts move by
several percent; one at a time they repeat within about 1%. The estimate worker runs outside
valgrind and is not counted (benchmarks/instructions.py counts its answers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.corpus import conversations  # noqa: E402
from benchmarks.load import Posts, send_commands, send_thread_actions, thread_actions  # noqa: E402
from tests.support.bot_process import BotProcess  # noqa: E402
from tests.support.fake_slack import FakeSlack  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402

WARM = 10


async def count(tree: Path, args: argparse.Namespace, out: Path) -> tuple[int, int]:
    """(instructions, answers) of one run of `tree`'s bot."""
    corpus = conversations(WARM + args.commands)
    texts = [c.text for c in corpus]
    with RedisServer() as redis:
        async with FakeSlack(validate=False) as slack, aiohttp.ClientSession() as session:
            bot = await _started(tree, slack, redis.url, out)
            try:
                await _worker_ready(bot)
                warm = range(WARM)
                await _answered(bot, slack, "WARM", warm, corpus, texts, args, session)
                _control(bot, "-i", "on")
                measured = range(WARM, WARM + args.commands)
                answers = await _answered(bot, slack, "RUN", measured, corpus, texts, args, session)
                _control(bot, "-d")  # written to out.1
                _control(bot, "-i", "off")
            finally:
                await bot.stop(timeout=120)
    dump = Path(f"{out}.1").read_text(errors="replace")
    total = next(int(line.split()[1]) for line in dump.splitlines() if line.startswith("totals:"))
    return total, answers


async def _started(tree: Path, slack: FakeSlack, redis_url: str, out: Path) -> BotProcess:
    """`tree`'s bot under callgrind, counting nothing yet; tried again on another port when
    something else took its free port first (a shared machine)."""
    for attempt in range(3):
        bot = BotProcess(slack.base_url, redis_url, extra_env={"STATE_TTL_SECONDS": "3600"})
        bot.cwd = tree
        bot.command = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                       f"--callgrind-out-file={out}", sys.executable, "-m", "bot"]  # fmt: skip
        try:
            return await bot.start(timeout=600)
        except RuntimeError as exc:
            if "already in use" not in str(exc) or attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _answered(bot, slack, prefix, indices, corpus, texts, args, session) -> int:
    """The commands of `indices`, then (their estimates posted) the follow-ups and clicks in
    their threads; returns how many answers were asked for, once all are posted."""
    done = Posts(slack, prefix)
    await send_commands(bot, slack, prefix, indices, args.concurrency, session, texts)
    posted = await _settled(done.count)
    actions = thread_actions(corpus, indices)
    await send_thread_actions(bot, slack, prefix, actions, args.concurrency, session)
    await _settled(done.count, at_least=posted + len(actions))
    return len(indices) + len(actions)


async def _settled(count, at_least: int = 1, quiet: float = 3.0, timeout: float = 600) -> int:
    """The post count once it reaches `at_least` and `quiet` seconds pass with no new post."""
    deadline, seen = time.monotonic() + timeout, -1
    while time.monotonic() < deadline:
        now = count()
        if now == seen and now >= at_least:
            break
        seen = now
        await asyncio.sleep(quiet)
    return count()


async def _worker_ready(bot: BotProcess) -> None:
    """Until the estimate worker answers: before that, estimates are worded in the loop."""
    for _ in range(1200):
        _, body = await bot.get("/healthz")
        if json.loads(body).get("estimate_workers", 0) >= 1:
            return
        await asyncio.sleep(0.5)
    raise RuntimeError("the estimate worker did not start")


def _control(bot: BotProcess, *what: str) -> None:
    assert bot.process is not None
    subprocess.run(["callgrind_control", *what, str(bot.process.pid)], check=True,
                   capture_output=True)  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    trees = [tree.resolve() for tree in args.tree] or [ROOT]
    per_answer: dict[Path, list[float]] = {tree: [] for tree in trees}
    with TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            for n, tree in enumerate(trees):  # alternating, as the other benchmarks do
                total, answers = await count(tree, args, Path(tmp) / f"cg-{repeat}-{n}.out")
                per_answer[tree].append(total / answers)
                print(f"{tree}: {total:,} instructions, {answers} answers", flush=True)
    print(f"\n{args.commands} commands and their follow-ups, {args.concurrency} at a time; "
          f"instructions of the event-loop process per answer:")  # fmt: skip
    first = min(per_answer[trees[0]])
    for tree, figures in per_answer.items():
        runs = ", ".join(f"{f / 1e6:.2f} M" for f in figures)
        print(f"  {tree}: {runs} ({min(figures) / first - 1:+.1%} against the first, best runs)")


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", action="append", type=Path, default=[])
    parser.add_argument("--commands", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=2)
    return parser


if __name__ == "__main__":
    asyncio.run(main(arguments().parse_args()))
