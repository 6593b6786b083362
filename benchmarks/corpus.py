"""What people really type: a seeded corpus of distinct /aicost requests, the follow-ups they
reply in the thread and the buttons they click, for the benchmarks.

Users spread log-uniformly over 1k-10M and written the ways people write them (12,400 · 35k ·
1.2M); every stage; the common API models and self-hosted open models on each GPU; regions,
compliance, uptime, explicit usage (tokens, requests a day, cache hit rate, prototype cost) in
about a third of the texts each. Every text is checked to parse into an estimate, and no two
texts give the same scenario (a cache keyed by scenario sees each once).

Run: python benchmarks/corpus.py [--count 300] shows a sample and the spread.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.parsing import first_scenario
from bot.slack.ids import Action

API_MODELS = (
    "gpt-4o-mini",
    "gpt-4o",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "claude-haiku-4-5",
    "claude-sonnet-4-5",
    "gemini-2.5-flash",
    "gemini-2.5-pro",
)
OPEN_MODELS = ("gpt-oss-120b", "mixtral-8x7b", "deepseek-v3.2")
STAGES = ("startup", "midsize", "enterprise")
GPUS = ("h100", "h200", "a100", "l4")
COMPLIANCE = ("soc2", "gdpr", "hipaa", "iso27001")
UPTIMES = ("99.5", "99.9", "99.99")
# Replies in a thread, each answered with one message (the recomputed estimate).
FOLLOW_UPS = (
    "what if {k}k users?",
    "with caching",
    "add hipaa",
    "use claude-haiku-4-5",
    "use gpt-4.1-mini",
    "enterprise",
    "{r} regions",
    "add gdpr",
)
# Buttons under an estimate, each answered with one message in its thread.
CLICKS = (Action.what_if_10x, Action.apply_caching, Action.cheaper_model)


@dataclass(frozen=True)
class Conversation:
    """One person's /aicost, and what they do in its thread afterwards."""

    text: str
    follow_up: str | None = None
    click: Action | None = None


def _users(rng: random.Random) -> str:
    users = round(10 ** rng.uniform(3, 7))
    form = rng.randrange(4)
    if form == 0 or users < 10_000:
        return f"{users:,} users" if rng.random() < 0.5 else f"{users} users"
    if users < 1_000_000 or form == 1:
        return f"{users / 1000:.0f}k users"
    return f"{users / 1_000_000:.1f}M users"


def _text(rng: random.Random) -> str:
    parts = [_users(rng), rng.choice(STAGES)]
    if rng.random() < 0.2:
        parts += ["self-hosted", rng.choice(GPUS)]
        if rng.random() < 0.5:
            parts.append(rng.choice(OPEN_MODELS))
    elif rng.random() < 0.8:
        parts.append(rng.choice(API_MODELS))
    if rng.random() < 0.35:
        parts.append(f"{rng.randint(2, 5)} regions")
    if rng.random() < 0.35:
        parts += rng.sample(COMPLIANCE, rng.randint(1, 2))
    if rng.random() < 0.2:
        parts.append(rng.choice(UPTIMES))
    if rng.random() < 0.3:
        parts.append(f"{rng.choice((500, 1200, 2000, 4000))}/{rng.choice((150, 300, 600))} tokens")
    if rng.random() < 0.3:
        parts.append(f"{rng.choice((2, 5, 8, 12, 20))} requests per day")
    if rng.random() < 0.25:
        parts.append(f"cache {rng.choice((10, 25, 40, 55))}%")
    if rng.random() < 0.15:
        parts.append(f"${rng.choice((20, 50, 80, 150))}k prototype")
    return " ".join(parts)


def texts(count: int, seed: int = 24) -> list[str]:
    """`count` distinct requests, each parsing into a distinct scenario."""
    rng = random.Random(seed)
    seen: set[str] = set()
    chosen: list[str] = []
    while len(chosen) < count:
        text = _text(rng)
        try:
            key = first_scenario(text).model_dump_json()
        except Exception:  # a combination the estimator refuses: people get a sentence, skip it
            continue
        if key not in seen:
            seen.add(key)
            chosen.append(text)
    return chosen


def conversations(
    count: int, seed: int = 24, follow_up_share: float = 0.3, click_share: float = 0.2
) -> list[Conversation]:
    """`count` requests; about `follow_up_share` of them get a reply in their thread and
    `click_share` a button click (a few get both)."""
    rng = random.Random(seed + 1)
    result = []
    for text in texts(count, seed):
        follow_up = click = None
        if rng.random() < follow_up_share:
            follow_up = rng.choice(FOLLOW_UPS).format(k=rng.choice((5, 20, 75, 300)),
                                                     r=rng.randint(2, 4))  # fmt: skip
        if rng.random() < click_share:
            click = rng.choice(CLICKS)
        result.append(Conversation(text, follow_up, click))
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    corpus = conversations(args.count)
    scenarios = [first_scenario(c.text) for c in corpus]
    for c in corpus[:12]:
        print(c)
    decades = Counter(int(math.log10(s.users)) for s in scenarios)
    print("users by decade:", dict(sorted(decades.items())))
    print("stages:", dict(Counter(s.stage.value for s in scenarios)))
    print("hosting:", dict(Counter(s.hosting.value for s in scenarios)))
    print("models:", dict(Counter(s.model for s in scenarios)))
    print("follow-ups:", sum(c.follow_up is not None for c in corpus),
          "clicks:", sum(c.click is not None for c in corpus))  # fmt: skip


if __name__ == "__main__":
    main()
