"""Comparisons and an estimate's line items as Slack's data_table block (sortable columns, raw
numbers, a caption), within Slack's documented limits; where Slack refuses the block, the
message goes again with a table block in its place and is never lost."""

from __future__ import annotations

import pytest

from bot.parsing import first_scenario
from bot.slack import answers, limits
from bot.slack.blockkit import data_table, number_cell, text_cell
from bot.slack.fitting import fit, without_data_tables
from bot.slack.message import Message
from bot.slack.metrics import Metrics
from bot.slack.posting import Posting
from bot.slack.where import Where
from estimator import PriceOverrides, estimate, price_book
from tests.support.fake_slack import FakeSlack
from tests.support.fake_slack.blockkit import MAX_MESSAGE_BLOCKS, block_problems
from tests.support.in_process import bot_in_process
from tests.support.reading import channel_id, posts, text_of
from tests.support.signing import slash_command_body

COMPARE = "compare gpt-4o vs claude-haiku-4-5 for 50k users"


def kinds(blocks: list[dict]) -> list[str]:
    return [b["type"] for b in blocks]


def the(kind: str, blocks: list[dict]) -> dict:
    (block,) = [b for b in blocks if b["type"] == kind]
    return block


def arithmetic_of(text: str, *args) -> Message:
    """The thread's "How these numbers were computed" message of an estimate."""
    messages = answers.request(text, *args).messages
    return next(m for m in messages if m.text.startswith("How these numbers were computed"))


def test_an_estimate_lists_its_line_items_in_a_sortable_data_table_in_its_thread() -> None:
    (estimate, *_) = answers.request("10000 users startup").messages
    working = arithmetic_of("10000 users startup")
    table = the("data_table", working.blocks)
    header, *rows = table["rows"]
    assert [c["text"] for c in header] == ["Line item", "Category", "Paid", "Amount", "First year"]
    assert "sort" in table["caption"].lower()
    # Amounts are raw numbers (sorted as numbers), shown as the ranges the message words.
    assert all(cell["type"] == "raw_number" for row in rows for cell in row[3:])
    first_years = [row[4]["value"] for row in rows]
    assert first_years == sorted(first_years, reverse=True)  # the largest cost first
    team = next(row for row in rows if row[0]["text"] == "ML engineers")
    assert team[2]["text"] == "yearly" and team[4]["text"].startswith("$")
    # The table opens the arithmetic, each line's working follows it.
    assert kinds(working.blocks)[:2] == ["section", "data_table"]
    assert "ML engineers" in text_of(working.blocks[2:])
    # The estimate itself sums the lines by category and does not list them a second time.
    assert "table" in kinds(estimate.blocks) and "data_table" not in kinds(estimate.blocks)
    assert "ML engineers" not in text_of(estimate.blocks)
    for message in (estimate, working):
        assert block_problems(message.blocks, "estimate", MAX_MESSAGE_BLOCKS) == []


def test_a_line_of_less_than_ten_dollars_shows_its_cents_not_a_range_rounded_to_nothing() -> None:
    rows = the("data_table", arithmetic_of("10000 users startup").blocks)["rows"][1:]
    vector = next(row for row in rows if row[0]["text"].startswith("Vector search"))
    assert vector[3]["text"] == "$0.09–0.44"  # not "$0"
    assert all(row[3]["text"] not in ("$0", "$0–1") for row in rows)


def test_a_line_paid_once_or_yearly_adds_to_the_first_year_what_it_costs() -> None:
    # Twelve months of a monthly line; a one-time or yearly line as it is, in EUR and USD alike.
    eur = PriceOverrides(currency={"code": "EUR", "per_usd": 0.92})
    for text, overrides in (("10000 users startup", None), ("400k users enterprise hipaa", eur)):
        e = estimate(first_scenario(text), price_book(overrides))
        rows = the("data_table", arithmetic_of(text, overrides).blocks)["rows"][1:]
        by_item = {row[0]["text"]: row for row in rows}
        paid = {"monthly": 0, "yearly": 0, "one-time": 0}
        for line in e.line_items:
            if line.high <= 0:
                continue
            row = by_item[line.item]
            paid[row[2]["text"]] += 1
            if row[2]["text"] == "monthly":
                twelve = (line.low * 12 + line.high * 12) / 2
                assert row[4]["value"] == round(twelve * e.shown.per_usd, 2)
                assert row[4] != row[3]
            else:
                assert row[4] == row[3]
        assert all(paid.values()), paid  # each kind of line was looked at


def test_a_comparison_is_one_sortable_row_per_option() -> None:
    (comparison,) = answers.request(COMPARE).messages
    table = the("data_table", comparison.blocks)
    header, *rows = table["rows"]
    assert [row[0]["text"] for row in rows] == ["gpt-4o", "claude-haiku-4-5 ✓ cheapest"]
    assert "First year" in [c["text"] for c in header]
    year = [c["text"] for c in header].index("First year")
    assert rows[1][year]["value"] < rows[0][year]["value"]  # sorts as the verdict reads
    assert table["page_size"] == len(rows)  # every option on one page
    assert "table" not in kinds(comparison.blocks)
    assert block_problems(comparison.blocks, "comparison", MAX_MESSAGE_BLOCKS) == []


def test_a_workspace_currency_is_in_the_numbers_a_table_sorts_by() -> None:
    from estimator.overrides import PriceOverrides

    euros = PriceOverrides(currency={"code": "EUR", "per_usd": 0.5})
    dollars = arithmetic_of("10000 users startup")
    in_euros = arithmetic_of("10000 users startup", euros)
    usd_row = the("data_table", dollars.blocks)["rows"][1]
    eur_row = the("data_table", in_euros.blocks)["rows"][1]
    assert eur_row[4]["text"].startswith("€")
    assert eur_row[4]["value"] == pytest.approx(usd_row[4]["value"] * 0.5, rel=0.01)


def test_fitting_keeps_a_data_table_within_slacks_documented_limits() -> None:
    wide = tuple(f"column {i}" for i in range(limits.DATA_TABLE_COLUMNS + 5))
    rows = [[number_cell(i, "x" * 40) for _ in wide] for i in range(limits.DATA_TABLE_ROWS + 50)]
    huge = data_table("Too much", wide, rows, page_size=500)
    assert block_problems([huge], "before", MAX_MESSAGE_BLOCKS) != []
    (fitted,) = fit([huge])
    assert block_problems([fitted], "after", MAX_MESSAGE_BLOCKS) == []
    assert len(fitted["rows"][0]) == limits.DATA_TABLE_COLUMNS
    assert len(fitted["rows"]) < limits.DATA_TABLE_ROWS  # rows dropped for the characters
    assert fitted["page_size"] == limits.DATA_TABLE_PAGE_SIZE
    assert huge["page_size"] == 500  # the caller's block is left alone


def test_the_fake_slack_refuses_a_data_table_slack_would() -> None:
    ragged = data_table("Ragged", ("a", "b"), [[text_cell("1")]], page_size=5)
    empty_number = {"type": "raw_number", "value": "12", "text": ""}
    bad_cell = data_table("Bad", ("a",), [[empty_number]], page_size=5)
    no_caption = {**data_table("", ("a",), [[text_cell("1")]], page_size=5)}
    header_only = data_table("Header only", ("a",), [], page_size=5)
    for block in (ragged, bad_cell, no_caption, header_only):
        assert block_problems([block], "chat.postMessage", MAX_MESSAGE_BLOCKS), block


def test_the_fallback_turns_a_lone_data_table_into_a_table_and_drops_a_second_one() -> None:
    (comparison,) = answers.request(COMPARE).messages
    blocks = without_data_tables(comparison.blocks)
    table = the("table", blocks)
    assert "data_table" not in kinds(blocks)
    assert [row[0]["text"] for row in table["rows"][1:]] == [
        "gpt-4o",
        "claude-haiku-4-5 ✓ cheapest",
    ]
    assert all(cell["type"] == "raw_text" for row in table["rows"] for cell in row)
    working = arithmetic_of("10000 users startup")
    blocks = without_data_tables(working.blocks)
    assert kinds(blocks).count("table") == 1 and "data_table" not in kinds(blocks)
    assert "ML engineers" in text_of(the("table", blocks)["rows"])
    for fallback in (blocks, without_data_tables(comparison.blocks)):
        assert block_problems(fallback, "fallback", MAX_MESSAGE_BLOCKS) == []


async def test_where_slack_refuses_data_tables_a_post_goes_again_with_a_table() -> None:
    (comparison,) = answers.request(COMPARE).messages
    async with FakeSlack() as slack:
        slack.refuse_data_tables = True
        metrics = Metrics()
        post = Posting(slack.client(), metrics)
        ts = await post.chat_post(comparison, "C0REFUSED")
        name = "refused-privately"
        where = Where("T1", "C0REFUSED", "U1", response_url=slack.response_url(name))
        await post.respond(where, comparison)
        (refused, posted) = slack.calls_to("chat.postMessage")
        responses = await slack.wait_for_response(name, count=2)
    assert not refused.ok and refused.response["error"] == "invalid_blocks"
    assert posted.ok and ts == posted.response["ts"]
    assert "table" in kinds(posted.args["blocks"]) and "data_table" not in text_of(posted.args)
    assert [r.status for r in responses] == [400, 200]
    assert "data_table" not in kinds(responses[-1].body["blocks"])
    assert slack.refused_data_tables == 2 and slack.violations == []
    assert metrics.errors.labels(kind="data_table_refused")._value.get() == 2


async def test_a_signed_compare_command_reaches_a_slack_that_refuses_data_tables(
    redis_url: str,
) -> None:
    channel = channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        slack.refuse_data_tables = True
        body = slash_command_body(COMPARE, channel_id=channel, response_url=slack.response_url("c"))
        assert await bot.post(body) == 200
        await bot.settle()
        (comparison,) = posts(slack, channel)
    assert "claude-haiku-4-5 ✓ cheapest" in text_of(the("table", comparison.args["blocks"]))
    assert slack.refused_data_tables == 1 and slack.violations == []


async def test_a_signed_compare_command_posts_a_data_table_where_slack_takes_it(
    redis_url: str,
) -> None:
    channel = channel_id()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        body = slash_command_body(COMPARE, channel_id=channel, response_url=slack.response_url("c"))
        assert await bot.post(body) == 200
        await bot.settle()
        (comparison,) = posts(slack, channel)
    assert "data_table" in kinds(comparison.args["blocks"])
    assert slack.refused_data_tables == 0 and slack.violations == []


async def test_a_private_estimate_keeps_every_line_item_where_slack_refuses_data_tables(
    redis_url: str,
) -> None:
    # The bot is not in the channel: the estimate goes to the asker alone, through the
    # response_url, with no thread, so its line items ride in the message itself.
    channel = channel_id()
    text = "50,000 users enterprise soc2 gdpr"
    lines = [
        line.item
        for line in estimate(first_scenario(text)).line_items
        if line.high > 0  # the table lists the lines that cost something
    ]
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        slack.refuse_data_tables = True
        slack.not_in_channel(channel)
        body = slash_command_body(text, channel_id=channel, response_url=slack.response_url("p"))
        assert await bot.post(body) == 200
        refused, shown = await slack.wait_for_response("p", count=2)
        await bot.settle()
    assert refused.status == 400 and shown.status == 200
    blocks = shown.body["blocks"]
    assert "data_table" not in kinds(blocks) and kinds(blocks).count("table") == 1
    after_breakdown = text_of(blocks[kinds(blocks).index("table") + 1 :])
    assert "Line items" in after_breakdown and len(lines) > 20
    for item in lines:  # every line, as text under the breakdown (escaped as Slack wants it)
        assert item.replace("&", "&amp;") in after_breakdown, item
    assert all(len(b["text"]["text"]) <= limits.SECTION_TEXT for b in blocks if "text" in b)
    assert slack.refused_data_tables == 1 and slack.violations == []


def test_line_items_as_text_are_split_to_fit_a_section_and_keep_every_row() -> None:
    rows = [[text_cell(f"line {i:03} " + "x" * 60), number_cell(i, f"${i}")] for i in range(100)]
    block = data_table("Line items · sort by any column", ("Line item", "Amount"), rows, 10)
    summary = {"type": "table", "rows": [[text_cell("Category")], [text_cell("Team")]]}
    blocks = without_data_tables([summary, block])
    texts = [b["text"]["text"] for b in blocks[1:]]
    assert texts[0] == "*Line items*" and len(texts) > 3  # the caption, then several parts
    assert all(t.startswith("```\nLine item") and len(t) <= limits.SECTION_TEXT for t in texts[1:])
    assert all(f"line {i:03} " in "".join(texts) for i in range(100))
    assert block_problems(blocks, "fallback", MAX_MESSAGE_BLOCKS) == []


def test_a_line_item_longer_than_a_section_is_cut_with_a_mark_a_reader_sees() -> None:
    long_name = "line & " + "y" * (limits.SECTION_TEXT + 500)
    rows = [
        [text_cell("short line"), number_cell(1, "$1")],
        [text_cell(long_name), number_cell(2, "$2")],
    ]
    block = data_table("Line items · sort by any column", ("Line item", "Amount"), rows, 10)
    summary = {"type": "table", "rows": [[text_cell("Category")], [text_cell("Team")]]}
    texts = [b["text"]["text"] for b in without_data_tables([summary, block])[1:]]
    cut = next(t for t in texts if "line &amp; yyy" in t)
    (row,) = [r for r in cut.split("\n") if r.startswith("line &amp;")]
    assert row.endswith("…") and "$2" not in row  # shortened, and it says so
    assert len(cut) <= limits.SECTION_TEXT and cut.endswith("\n```")
    assert any("short line" in t and "$1" in t for t in texts)  # the row that fits is whole
    assert (
        block_problems(
            [summary, *[{"type": "section", "text": {"type": "mrkdwn", "text": t}} for t in texts]],
            "fallback",
            MAX_MESSAGE_BLOCKS,
        )
        == []
    )
