"""A range whose ends are equal is one figure, in every front end: the MCP summary's multiple,
the article's phase multiples in the CSV export and in Slack."""

import dataclasses
import json

from bot.export import estimate_csv
from bot.mcp.answers import estimate_summary
from bot.parsing import first_scenario
from bot.slack.messages.estimate import estimate_message
from estimator import estimate
from estimator.totals import Amount, Totals


def _equal_ended():
    e = estimate(first_scenario("10000 users startup"))
    one = Totals(Amount(40_000, 40_000), Amount(10_000, 10_000), Amount(0, 0), 50_000)
    phases = tuple(dataclasses.replace(p, article_multiple=(6.0, 6.0)) for p in e.phases)
    made = dataclasses.replace(e, totals=one, _phases=lambda: phases)
    made.phases  # noqa: B018  (computed before the renderers read it, as a complete estimate's)
    return made


def test_the_mcp_summary_says_one_multiple_when_the_ends_agree():
    summary = estimate_summary(_equal_ended())
    assert "(3.2x the prototype)" in summary  # (40k + 12 x 10k) / 50k
    assert "3.2-3.2x" not in summary


def test_the_export_and_slack_say_the_articles_multiple_once():
    e = _equal_ended()
    assert "article 6x the prototype" in estimate_csv(e)
    assert "6-6x" not in estimate_csv(e)
    blocks = json.dumps(estimate_message(e).blocks)
    assert "(article 6x)" in blocks and "6-6x" not in blocks
