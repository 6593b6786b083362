"""A follow-up that gives, as the person's own figure, the value an estimate had assumed: the
figure stays, its range narrows, and the totals move. "What changed" says so rather than
"nothing" (issue 23, item 8)."""

from __future__ import annotations

import pytest

from bot.advisor import ConversationState, follow_up_text, request
from bot.slack.messages.follow_up import follow_up_message


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("what if 5 requests per user per day", "requests/user/day 5 now your figure"),
        ("what if 30% daily active", "daily active 30% now your figure"),
    ],
)
def test_a_figure_given_at_its_assumed_value_is_named_as_the_change(question, said):
    first = request("10000 users startup", ConversationState())
    turn = follow_up_text(question, first.state)
    before, after = turn.reply.diff.totals["monthly"]
    assert (before.low, before.high) != (after.low, after.high)  # the totals did move
    text = follow_up_message(turn.reply).text
    assert f"What changed: {said}" in text and "What changed: nothing" not in text
    undone = follow_up_text("undo", turn.state)
    assert "back to an assumed range" in follow_up_message(undone.reply).text
