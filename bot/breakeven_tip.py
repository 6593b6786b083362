"""The break-even shown beside an estimate (the terminal, `--json`, `-f`, the MCP `estimate`
tool): worked out for the estimate's scenario under the estimate's own prices, or the sentence
saying why it is left out. The Slack hosting tip makes the same answer from a remembered search
(bot/slack/answers.py)."""

from __future__ import annotations

from bot.fail_soft import optional
from estimator import BreakEven, Estimate, break_even

PART = "the break-even with self-hosting"


def breakeven_beside(e: Estimate) -> BreakEven | str:
    """`break_even` of the estimate's scenario, or the sentence saying it is left out and why."""
    return optional(PART, lambda: break_even(e.scenario, e.prices))


__all__ = ["PART", "breakeven_beside"]
