"""Every message the bot words for a corpus of requests, dumped so two checkouts can be compared.

A speed-up of the wording must not change one byte of what is posted. Run this in the checkout
before the change and in the one after, then compare the two dumps:

    PYTHONPATH=<old checkout> python benchmarks/wording_identity.py --out /tmp/before.json
    PYTHONPATH=<new checkout> python benchmarks/wording_identity.py --out /tmp/after.json
    python benchmarks/wording_identity.py --compare /tmp/before.json /tmp/after.json

Baseline. The dumps to compare against are made from a checkout, never stored: the baseline is a
commit. It moved on 2026-12-07 to the `tables` branch (issue 20), for three changes on purpose:
button values carry the scenario of the message they are on (they carried a word: "edit",
"10x"), estimates carry Slack's feedback buttons (a context_actions block), and the estimate's
line items and a comparison are data_table blocks (the comparison's table block became one).
`--ignoring` takes such a change out of both sides, so what else differs still shows:

    python benchmarks/wording_identity.py --compare before.json after.json \
        --ignoring button-values --ignoring feedback --ignoring data-tables

766e0ec -> 992b2a4 (the two Slack changes): 114 of 120 differ, 0 ignoring button-values and
feedback. main (cd18c3e) -> tables: 54 differ (every estimate and form, and the comparison), 1
ignoring data-tables too (the comparison, whose only table is now the data table). Between
992b2a4 and cd18c3e other merged branches changed figures (storage, legal and insurance), so
compare a change with the commit it starts from. main (f2969a8) -> polish: 9 of 130 differ, on
purpose: undo and reset in a question's thread open with what was done (6), and a comparison's
"The chart follows in the thread." is added where it is posted, only when a chart is drawn, so
no worded comparison carries it (3 more).

The corpus covers the three stages, 100 to 10M users, API and self-hosted models, compliance,
regions, caching, usage figures the user gave, a workspace's prices (EUR with a discount, UK
salaries, a cloud multiplier, a price-file entry), follow-ups and buttons, and replies in a
comparison's and a break-even's thread (asked again, undo, reset; 130 answers from `polish`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

REQUESTS = (
    "10000 users startup",
    "100 users startup",
    "500 users mid-size",
    "2500 users enterprise",
    "50,000 users enterprise soc2 gdpr",
    "1.5M users $80k prototype gpt-4o-mini cache 40%",
    "20k users self-hosted h100 3 regions 99.99",
    "5k users claude 2000/400 tokens 8 requests per day",
    "10M users enterprise hipaa 5 regions",
    "3M users mid-size gemini-2.5-flash",
    "250k users startup claude-haiku-4-5 cache 60%",
    "40k users mid-size gpt-4o 2000 input tokens",
    "7500 users startup 8 requests per user per day",
    "120k users enterprise soc2 hipaa 99.99",
    "800k users self-hosted llama 70b",
    "60k users self-hosted deepseek-v3.2 h200",
    "9000 users mid-size mixtral-8x7b self-hosted",
    "1M users startup gpt-4.1-nano 300 output tokens",
    "33k users enterprise 2 regions cache 20%",
    "150 users enterprise soc2",
    "2M users enterprise gpt-4o 4 regions 99.9",
    "15k users mid-size 30% active daily",
    "4M users startup gemini-2.5-flash cache 50% 4000 input tokens",
    "75k users mid-size self-hosted gpt-oss-120b a100",
    "5M users enterprise claude 12 requests per day",
    "1000 users startup 5000/800 tokens",
    "300k users mid-size hipaa gdpr 3 regions",
    "10000 users startup $200k prototype",
    "600 users mid-size gpt-4o-mini",
    "8M users enterprise self-hosted @cf/meta/llama-3.1-8b-instruct",
    "100k users mid-size 20% active daily 3 requests per day 1500/300 tokens",
    "12 users startup",
    "when does self-hosting pay off for 100k users?",
    "compare gpt-4o vs claude-haiku-4-5 for 50k users",
    "help",
    "10000 users startup frobnicate",
)
FOLLOW_UPS = ("what if 50k users?", "with caching", "add hipaa", "use claude-haiku-4-5", "undo")
# In a comparison's or break-even's thread: the question asked again, stepped back, reset.
QUESTION_FOLLOW_UPS = ("what if 100k users?", "what if 200k users?", "undo", "reset", "undo")
PRICED = (
    "10000 users startup",
    "2M users enterprise gpt-4o 4 regions 99.9",
    "20k users self-hosted h100 3 regions 99.99",
    "5k users claude 2000/400 tokens 8 requests per day",
    "300k users mid-size hipaa gdpr 3 regions",
)


def workspace_prices() -> list[Any]:
    from estimator.overrides import PriceOverrides

    return [
        PriceOverrides(
            currency={"code": "EUR", "per_usd": 0.92}, provider_discounts={"openai": 20}
        ),
        PriceOverrides(
            currency={"code": "GBP", "per_usd": 0.79},
            provider_discounts={"anthropic": 15},
            salary_region="UK",
            cloud_multiplier=1.3,
            gpu_prices={"h100": {"on_demand": 3.0, "reserved": 2.0}},
        ),
        PriceOverrides(
            currency={"code": "JPY", "per_usd": 151.0},
            entries={"storage.disk_per_gb_month": {"low": 0.2, "high": 0.3}},
            loaded_factor=1.5,
        ),
    ]


def plain(value: Any) -> Any:
    """JSON-able: dataclasses and pydantic models as dicts, enums as their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def answered(answer: Any) -> dict:
    return {
        "kind": str(answer.kind),
        "text": answer.text,
        "messages": plain(answer.messages),
        "summary": answer.summary,
        "options": [label for label, _ in answer.options],
    }


def dump() -> dict[str, Any]:
    from bot.slack import answers
    from bot.slack.ids import Action

    out: dict[str, Any] = {}
    for text in REQUESTS:
        first = answers.request(text)
        out[f"request {text}"] = answered(first)
        if first.state.question is not None:
            state = first.state
            for n, reply in enumerate(QUESTION_FOLLOW_UPS, 1):
                turn = answers.follow_up(reply, state)
                out[f"in thread {text} / {n} {reply}"] = answered(turn)
                state = turn.state
        if first.state.scenario is None or text.startswith(("when", "compare")):
            continue
        if text in REQUESTS[:6]:
            state = first.state
            for reply in FOLLOW_UPS:
                turn = answers.follow_up(reply, state)
                out[f"follow-up {text} / {reply}"] = answered(turn)
                state = turn.state
            for action in (Action.what_if_10x, Action.apply_caching, Action.cheaper_model):
                out[f"button {text} / {action.value}"] = answered(
                    answers.button(action, first.state)
                )
            out[f"form {text}"] = answered(answers.from_form(first.state.scenario))
    for n, prices in enumerate(workspace_prices()):
        for text in PRICED:
            first = answers.request(text, prices)
            out[f"priced {n} {text}"] = answered(first)
            out[f"priced {n} follow-up {text}"] = answered(
                answers.follow_up("what if 50k users?", first.state, prices)
            )
    return out


# Changes made on purpose that --ignoring takes out of both dumps before comparing.
IGNORABLE = ("button-values", "feedback", "data-tables")


def without(node: Any, ignoring: frozenset[str]) -> Any:
    """`node` with the changes named in `ignoring` taken out."""
    if isinstance(node, list):
        kept = [without(item, ignoring) for item in node]
        return [item for item in kept if item is not _GONE]
    if not isinstance(node, dict):
        return node
    kind = node.get("type")
    if ("feedback" in ignoring and kind == "context_actions") or (
        "data-tables" in ignoring and kind == "data_table"
    ):
        return _GONE
    out = {k: without(v, ignoring) for k, v in node.items()}
    if "button-values" in ignoring and kind == "button":
        out["value"] = ""
    return out


_GONE = object()


def _text(answer: dict | None) -> str:
    return json.dumps(answer, ensure_ascii=False)


def compare(before_path: str, after_path: str, ignoring: frozenset[str] = frozenset()) -> int:
    with open(before_path) as f:
        before = without(json.load(f), ignoring)
    with open(after_path) as f:
        after = without(json.load(f), ignoring)
    # Compared as JSON text, so a change in the order of a block's keys counts too.
    differing = [k for k in before if _text(before[k]) != _text(after.get(k))]
    missing = sorted(set(before) ^ set(after))
    print(f"{len(before)} answers compared: {len(differing)} differ, {len(missing)} unmatched")
    for key in differing[:10]:
        print("  differs:", key)
    return 1 if differing or missing else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--ignoring", action="append", choices=IGNORABLE, default=[])
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare, frozenset(args.ignoring)))
    import estimator

    print("measuring", estimator.__file__, file=sys.stderr)
    answers = dump()
    kinds = sorted({a["kind"] for a in answers.values()})
    print(f"{len(answers)} answers ({', '.join(kinds)})", file=sys.stderr)
    with open(args.out, "w") as f:
        json.dump(answers, f, ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main()
