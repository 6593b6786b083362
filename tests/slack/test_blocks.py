"""Block Kit rendering and the form: valid for Slack, within its limits, and safe to echo."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot import advisor
from bot.advisor import ConversationState, Reply, ReplyKind
from bot.parsing import first_scenario
from bot.slack import limits
from bot.slack.blockkit import escape
from bot.slack.estimate_form import REQUIRED, form_view, read_form, scenario_from_form
from bot.slack.fitting import fit, with_note
from bot.slack.ids import Action, Callback, FormField
from bot.slack.message import Message
from bot.slack.messages.estimate import INVITE_COMMAND, estimate_message, not_in_channel_message
from bot.slack.messages.follow_up import follow_up_message
from bot.slack.messages.replies import (
    error_message,
    help_message,
    hint_message,
    info_message,
    store_unavailable_note,
)
from bot.slack.messages.tips import thread_tips
from estimator import facts
from estimator.estimate import Estimate, estimate
from estimator.money import DOLLARS, usd_range
from estimator.scenario import FIELD_NAMES, Compliance, Scenario, build_scenario
from tests.support.fake_slack import table_problems
from tests.support.fake_slack.blockkit import data_table_problems

SCENARIOS = {
    "startup": lambda: first_scenario("10000 users startup"),
    "midsize": lambda: first_scenario("50,000 users midsize"),
    "enterprise": lambda: first_scenario("250k users enterprise soc2 gdpr"),
    "self-hosted": lambda: first_scenario("20k users self-hosted h100 3 regions 99.99"),
    "extreme": lambda: build_scenario(
        stage="enterprise", users=10_000_000_000, regions=20, compliance=list(Compliance)
    ),
}


@pytest.fixture(params=list(SCENARIOS))
def any_estimate(request: pytest.FixtureRequest) -> Estimate:
    return estimate(SCENARIOS[request.param]())


def _texts(block: dict) -> list[str]:
    """Every text a block shows."""
    out = []
    if "text" in block:
        out.append(block["text"]["text"])
    out += [f["text"] for f in block.get("fields", [])]
    out += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    out += [e["text"]["text"] for e in block.get("elements", []) if isinstance(e.get("text"), dict)]
    return out


def assert_valid_blocks(blocks: list[dict], max_blocks: int = limits.MESSAGE_BLOCKS) -> None:
    """Slack's own models accept every block unchanged, and every limit in limits.py holds."""
    assert 0 < len(blocks) <= max_blocks
    for raw in blocks:
        kind = raw["type"]
        if kind == "data_table":
            # slack_sdk 3.48 has no model for it: the documented schema and limits.
            assert data_table_problems(raw) == []
            continue
        parsed = Block.parse(raw)
        assert parsed is not None, raw
        assert parsed.to_dict() == raw  # to_dict validates; equality: nothing was dropped
        if kind == "header":
            assert len(raw["text"]["text"]) <= limits.HEADER_TEXT
        if kind == "section":
            assert len(raw.get("text", {}).get("text", "")) <= limits.SECTION_TEXT
            assert len(raw.get("fields", [])) <= limits.SECTION_FIELDS
            assert all(len(f["text"]) <= limits.SECTION_FIELD_TEXT for f in raw.get("fields", []))
        if kind == "context":
            assert len(raw["elements"]) <= limits.CONTEXT_ELEMENTS
            assert all(len(e["text"]) <= limits.SECTION_TEXT for e in raw["elements"])
        if kind == "actions":
            assert all(len(b["text"]["text"]) <= limits.BUTTON_TEXT for b in raw["elements"])
        if kind == "table":
            # slack_sdk's TableBlock checks only that rows exist: the documented schema too.
            assert table_problems(raw) == []
            assert len(raw["rows"]) <= limits.TABLE_ROWS
    assert sum(b["type"] == "table" for b in blocks) <= limits.TABLES_PER_MESSAGE


def assert_valid_message(message: Message) -> None:
    assert isinstance(message, Message)
    assert 0 < len(message.text) <= limits.FALLBACK_TEXT
    assert_valid_blocks(message.blocks)


def assert_valid_view(view: dict) -> None:
    assert View(**view).to_dict() == view
    assert len(view["title"]["text"]) <= limits.MODAL_TITLE
    assert len(view["blocks"]) <= limits.MODAL_BLOCKS
    assert len(view["private_metadata"]) <= limits.PRIVATE_METADATA


def all_text(messages: list[Message]) -> str:
    return "\n".join(
        text for m in messages for block in m.blocks for text in [m.text, *_texts(block)]
    )


# --- the estimate -----------------------------------------------------------------------------


def test_estimate_message_is_valid_block_kit_within_limits(any_estimate: Estimate) -> None:
    assert_valid_message(estimate_message(any_estimate))


def test_estimate_message_shows_header_key_figures_breakdown_phases_assumptions(
    any_estimate: Estimate,
) -> None:
    message = estimate_message(any_estimate)
    header, figures = message.blocks[:2]
    s = any_estimate.scenario
    assert header["type"] == "header"
    assert f"{s.users:,} users" in header["text"]["text"]
    assert s.stage.value in header["text"]["text"]
    labels = " ".join(f["text"] for f in figures["fields"])
    for label in (
        "Monthly run-rate",
        "One-time",
        "First year",
        "Multiple of the prototype",
        "All-in per month",
        "Team &amp; legal per year",
    ):
        assert label in labels
    text = all_text([message])
    for category, *_ in any_estimate.by_category():
        assert escape(category.label) in text
    for phase in any_estimate.phases:
        assert phase.name in text
        assert f"article {phase.article_multiple[0]:g}-{phase.article_multiple[1]:g}x" in text
    assert s.model in text
    assert "Edit in form" in text


def test_startup_estimate_reads_as_compact_ranges() -> None:
    e = estimate(SCENARIOS["startup"]())
    text = all_text([estimate_message(e)])
    monthly, first_year = e.totals.monthly, e.totals.first_year
    multiple = e.totals.prototype_multiple
    # Rounded to what a person reads at a glance: "$2.4k–5.2k/month", "$297k–511k".
    assert f"{usd_range(monthly.low, monthly.high, DOLLARS, short=True)}/month" in text
    assert usd_range(first_year.low, first_year.high, DOLLARS, short=True) in text
    assert re.search(r"\$\d{3}k–\d{3}k first year", text)
    assert f"{multiple.low:.1f}-{multiple.high:.1f}x" in text
    assert "You chose 10,000 users" in text
    assert "Startup defaults: gpt-4o-mini" in text


def test_estimate_has_its_six_buttons(any_estimate: Estimate) -> None:
    actions = estimate_message(any_estimate).blocks[-1]
    assert actions["type"] == "actions"
    assert [b["action_id"] for b in actions["elements"]] == [a.value for a in Action]
    assert [b["text"]["text"] for b in actions["elements"]] == [
        "Edit in form",
        "What if 10x users",
        "Apply caching",
        "Try a cheaper model",
        "Chart",
        "Export",
    ]
    assert all(b["value"] for b in actions["elements"])


def test_not_in_channel_message_says_how_to_invite_then_shows_the_estimate() -> None:
    e = estimate(SCENARIOS["startup"]())
    message = not_in_channel_message(estimate_message(e))
    assert_valid_message(message)
    assert INVITE_COMMAND == "/invite @aicost"
    assert INVITE_COMMAND in message.blocks[0]["text"]["text"]
    assert message.blocks[1:] == estimate_message(e).blocks


def test_a_private_estimate_has_no_thread_so_it_carries_the_line_items_itself() -> None:
    e = estimate(SCENARIOS["startup"]())
    message = not_in_channel_message(estimate_message(e), tuple(thread_tips(e)))
    assert_valid_message(message)
    kinds = [b["type"] for b in message.blocks]
    assert kinds.index("data_table") == kinds.index("table") + 1  # under the breakdown
    (lines,) = [b for b in message.blocks if b["type"] == "data_table"]
    assert "ML engineers" in [row[0]["text"] for row in lines["rows"]]
    assert "data_table" not in [b["type"] for b in estimate_message(e).blocks]


# --- the thread -------------------------------------------------------------------------------


def test_thread_tips_are_valid_block_kit_within_limits(any_estimate: Estimate) -> None:
    tips = thread_tips(any_estimate)
    assert len(tips) >= 4
    for message in tips:
        assert_valid_message(message)


def _lever_or_why(e: Estimate, lever: str, name: str) -> tuple[str, str | None]:
    """A lever's detail and amount, or (when it saves nothing, so it is left out) the reason."""
    saving = next((s for s in e.savings if s.lever == lever), None)
    if saving is not None:
        return saving.detail, usd_range(saving.monthly.low, saving.monthly.high, e.shown)
    (why,) = [a.why for a in e.absent if a.kind == "lever" and a.name == name]
    return why, None


def test_caching_tip_names_this_scenarios_dollar_saving(any_estimate: Estimate) -> None:
    caching = all_text(thread_tips(any_estimate)[:1])
    for lever, name in (
        ("response_caching", "Response caching"),
        ("prompt_caching", "Prompt caching"),
    ):
        detail, amount = _lever_or_why(any_estimate, lever, name)
        assert escape(detail) in caching
        if amount:
            assert amount in caching


def test_caching_tip_with_nothing_to_save_does_not_point_at_apply_caching() -> None:
    nothing = estimate(first_scenario("llama 3.1 8b self-hosted 20k users"))
    tip = all_text(thread_tips(nothing)[:1])
    assert "no dollar saving" in tip and "Apply caching" not in tip
    something = all_text(thread_tips(estimate(SCENARIOS["startup"]()))[:1])
    assert "*Apply caching* under the estimate shows the totals with it." in something


def test_caching_tip_says_what_prompt_length_unlocks_prompt_caching() -> None:
    e = estimate(SCENARIOS["startup"]())  # 1,000-token prompts on gpt-4o-mini
    assert "prompt_caching" not in {s.lever for s in e.savings}
    caching = all_text(thread_tips(e)[:1])
    assert "Prompt caching* (nothing to save here)" in caching
    assert "1,024+ tokens would unlock" in caching


def test_estimate_message_shows_the_assumptions_that_move_the_first_year() -> None:
    e = estimate(SCENARIOS["startup"]())
    message = estimate_message(e)
    assert_valid_message(message)
    text = all_text([message])
    assert "What moves the first year most" in text
    for item in e.sensitivity:
        assert item.label in text
    assert "salaries, fully loaded (an ML engineer's shown)*: $175,000/year → $280,000/year" in text
    assert "Each of the others moves it by less than 1% of the first year" in text
    assert "Left out, $0 here: Failover standby capacity: 0% of primary servers" in text


def test_sensitivity_says_what_it_varies_when_usage_was_given() -> None:
    e = estimate(first_scenario("10000 users startup 20% daily 5 requests per day 1000/300 tokens"))
    text = all_text([estimate_message(e)])
    assert (
        "requests per active user per day"
        not in text.partition("What moves")[2].split("Assumptions")[0]
    )
    assert "salaries, fully loaded" in text


def test_a_large_audience_shows_the_support_contact_rate_and_what_was_assumed() -> None:
    e = estimate(first_scenario("10M users enterprise gpt-4o-mini soc2 gdpr 5 regions 99.99"))
    text = all_text([estimate_message(e)])
    assert "support contacts per user a month*: 0.4% → 0.8%" in text
    assert "requests per active user per day*: 3 → 10 (assumed 5)" in text


def test_managed_services_tip_gives_its_trade_off_and_the_other_levers(
    any_estimate: Estimate,
) -> None:
    text = all_text(thread_tips(any_estimate)[1:2])
    detail, _ = _lever_or_why(any_estimate, "managed_services", "Managed services")
    assert escape(detail) in text
    assert "Autoscaling" in text and "Cheaper model" in text


def test_all_five_strategies_are_in_the_thread_numbered(any_estimate: Estimate) -> None:
    text = all_text(thread_tips(any_estimate)[2:3])
    for n, strategy in enumerate(any_estimate.strategies, 1):
        assert f"*{n}. {strategy.name}*" in text
        assert escape(strategy.advice) in text
    assert len(any_estimate.strategies) == 5


def test_arithmetic_shows_every_line_items_basis_and_the_data_sources(
    any_estimate: Estimate,
) -> None:
    arithmetic = thread_tips(any_estimate)[3:]
    text = all_text(arithmetic)
    assert "How these numbers were computed" in text
    for item in any_estimate.line_items:
        assert escape(item.basis) in text, item.item
    assert "estimator/data/costs.toml" in text
    if any_estimate.token_prices:
        assert "genai-prices bundled data" in text


def test_arithmetic_splits_across_messages_when_slack_limits_require(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(limits, "MESSAGE_BLOCKS", 4)
    monkeypatch.setattr(limits, "SECTION_TEXT", 600)
    e = estimate(SCENARIOS["extreme"]())
    arithmetic = thread_tips(e)[3:]
    assert len(arithmetic) > 2
    for message in arithmetic:
        assert len(message.blocks) <= 4
        sections = [b for b in message.blocks if b["type"] == "section"]
        assert all(len(b["text"]["text"]) <= 600 for b in sections)
    text = all_text(arithmetic)
    assert "(continued)" in text  # a category too long for one section goes on in the next
    for item in e.line_items:
        assert escape(item.basis) in text


# --- follow-ups -------------------------------------------------------------------------------


def _follow_up(text: str) -> Reply:
    state = advisor.request("10000 users startup", ConversationState()).state
    return advisor.follow_up_text(text, state).reply


def test_follow_up_shows_what_changed_with_arrows_and_signed_amounts() -> None:
    reply = _follow_up("what if 50k users?")
    message = follow_up_message(reply)
    assert_valid_message(message)
    text = all_text([message])
    assert "users 10,000 → 50,000" in text
    assert "→" in text
    assert "+$" in text
    assert "First-year impact by category" in text
    assert "Team" in text  # more users, more people
    assert message.blocks[-1]["type"] == "actions"
    # The one-time costs do not move: one "$0", not "$0 / $0".
    assert "$0 / $0" not in text and "$0 / $0" not in message.text
    (one_time,) = [line for line in message.text.splitlines() if line.startswith("One-time")]
    assert one_time.endswith(" $0")


def test_follow_up_that_saves_money_shows_negative_amounts() -> None:
    # gpt-4.1-nano ($0.10/$0.40) undercuts gpt-4o-mini; gpt-5-nano would not once its reasoning
    # tokens are billed.
    message = follow_up_message(_follow_up("use gpt-4.1-nano"))
    assert_valid_message(message)
    text = all_text([message])
    assert "model gpt-4o-mini → gpt-4.1-nano" in text
    assert "-$" in text


def test_follow_up_without_a_diff_is_the_plain_estimate() -> None:
    e = estimate(SCENARIOS["startup"]())
    reply = Reply(ReplyKind.estimate, estimate=e, scenario=e.scenario)
    assert follow_up_message(reply) == estimate_message(e)


# --- short replies and escaping ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["<!channel>", "<!here>", "<@U123>", "<https://x|link>", "<#C123>", "AT&T", "a > b < c"],
)
def test_escape_neutralises_mentions_links_and_ampersands(raw: str) -> None:
    escaped = escape(raw)
    assert "<" not in escaped and ">" not in escaped
    assert "&" not in escaped.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


def test_escape_matches_slacks_entities() -> None:
    assert escape("<!channel> & <@U123>") == "&lt;!channel&gt; &amp; &lt;@U123&gt;"


@pytest.mark.parametrize("render", [hint_message, error_message, info_message])
def test_user_words_echoed_back_never_mention_anyone(render: Any) -> None:
    message = render("I didn't understand “<!here>”, “<@U123>” or “<https://evil|docs>” & more.")
    assert_valid_message(message)
    payload = json.dumps(message.blocks, ensure_ascii=False) + message.text
    for raw in ("<!here>", "<@U123>", "<https://evil|docs>", "& more"):
        assert raw not in payload
    assert "&lt;!here&gt;" in payload


def test_hint_for_an_unknown_word_keeps_the_word_visible() -> None:
    turn = advisor.request("10000 users <!here>", ConversationState())
    assert turn.reply.kind is ReplyKind.hint
    message = hint_message(turn.reply.text)
    assert "<!here>" not in json.dumps(message.blocks) + message.text
    assert "&lt;!here&gt;" in message.blocks[0]["text"]["text"]


def test_help_message_lists_examples_and_follow_ups() -> None:
    message = help_message()
    assert_valid_message(message)
    text = all_text([message])
    assert "/aicost 10000 users startup" in text
    assert "what if 50k users?" in text


def test_store_unavailable_note_is_a_context_block() -> None:
    note = store_unavailable_note()
    assert_valid_blocks([note])
    assert note["type"] == "context"
    assert "Follow-ups are unavailable" in note["elements"][0]["text"]
    noted = with_note(estimate_message(estimate(SCENARIOS["startup"]())), note)
    assert_valid_message(noted)
    assert noted.blocks[-1] == note


def test_fit_clips_every_text_and_caps_the_block_count_keeping_the_buttons() -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "&amp;" * 1000}}
    header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 400}}
    actions = estimate_message(estimate(SCENARIOS["startup"]())).blocks[-1]
    actions["elements"][0]["text"]["text"] = "b" * 200
    fields = {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": "f" * 3000} for _ in range(12)],
    }
    fitted = fit([header, fields, *[section] * 60, actions])
    assert_valid_blocks(fitted)
    assert len(fitted) == limits.MESSAGE_BLOCKS
    assert fitted[-1]["type"] == "actions"
    assert fitted[0]["text"]["text"].endswith("…")
    assert fitted[2]["text"]["text"].endswith("&amp;…")  # never half an entity
    assert section["text"]["text"] == "&amp;" * 1000  # the input is left alone


# --- the form ---------------------------------------------------------------------------------


def submitted(view: dict, **typed: Any) -> dict:
    """`view.state.values` as Slack sends it when the user submits the view unchanged, except for
    text inputs given in `typed` (block_id=text)."""
    values: dict[str, dict] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        kind = element["type"]
        if kind == "plain_text_input":
            state = {"type": kind, "value": typed.get(block["block_id"], element["initial_value"])}
        elif kind == "static_select":
            state = {"type": kind, "selected_option": element.get("initial_option")}
        else:
            state = {"type": kind, "selected_options": element.get("initial_options", [])}
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def _fields(s: Scenario) -> dict[str, Any]:
    return {name: getattr(s, name) for name in FIELD_NAMES}


def test_form_view_is_a_valid_modal_with_one_input_per_field() -> None:
    view = form_view(None, '{"channel": "C1"}')
    assert_valid_view(view)
    assert view["type"] == "modal"
    assert view["callback_id"] == Callback.form.value
    assert view["private_metadata"] == '{"channel": "C1"}'
    assert (view["submit"]["text"], view["close"]["text"]) == ("Estimate", "Cancel")
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [f.value for f in FormField]
    assert all(b["block_id"] == b["element"]["action_id"] for b in inputs)
    assert all(b["hint"]["text"] for b in inputs)


def test_empty_form_is_prefilled_with_startup_defaults() -> None:
    result = scenario_from_form(submitted(form_view(None, "")))
    assert isinstance(result, Scenario)
    assert _fields(result) == _fields(build_scenario(stage="startup"))


def test_hints_show_the_allowed_range() -> None:
    hints = {b["block_id"]: b["hint"]["text"] for b in form_view(None, "")["blocks"][1:]}
    assert hints["users"].startswith("1 to 10,000,000,000")
    assert hints["prototype_cost"].startswith("$1,000 to $1,000,000,000")
    assert hints["cache_hit_rate"].startswith("0% to 95%")
    assert hints["regions"].startswith("1 to 20")


def test_the_compliance_hint_says_what_the_lines_price_no_certification_for_hipaa_or_gdpr():
    hint = {b["block_id"]: b["hint"]["text"] for b in form_view(None, "")["blocks"][1:]}
    lines = [i.item for i in estimate(first_scenario("10k users hipaa gdpr")).line_items]
    assert sum("(no official certification)" in item for item in lines) == 2
    assert "certification" not in hint["compliance"]
    assert "HIPAA risk assessment" in hint["compliance"] and "DPIA" in hint["compliance"]


@pytest.mark.parametrize(
    "text",
    [
        "10000 users startup",
        "250k users enterprise soc2 gdpr hipaa",
        "20k users self-hosted a100 3 regions 99.99 iso27001",
        "1.5M users $80k prototype claude-haiku-4-5 cache 35% 1.5 requests per day 1200/450 tokens",
        "7 users midsize l4 self-hosted 99.9",
    ],
)
def test_form_round_trips_a_scenario(text: str) -> None:
    scenario = first_scenario(text)
    view = form_view(scenario, "meta")
    assert_valid_view(view)
    values, errors = read_form(submitted(view))
    assert errors == {}
    result = scenario_from_form(submitted(view))
    assert isinstance(result, Scenario)
    assert _fields(result) == _fields(scenario)
    assert _fields(build_scenario(**values)) == _fields(scenario)


def test_form_keeps_chosen_fields_it_does_not_show_when_given_the_base() -> None:
    scenario = first_scenario("10000 users startup 50% daily active 2M records")
    view = form_view(scenario, "")
    kept = scenario_from_form(submitted(view), base=scenario)
    assert isinstance(kept, Scenario)
    assert _fields(kept) == _fields(scenario)
    without_base = scenario_from_form(submitted(view))
    assert isinstance(without_base, Scenario)
    assert without_base.daily_active_share != scenario.daily_active_share


def test_form_switched_to_self_hosting_uses_an_open_model_or_says_why_not() -> None:
    scenario = first_scenario("10000 users startup")
    state = submitted(form_view(scenario, ""))
    state["hosting"]["hosting"]["selected_option"] = {"value": "self-hosted:h100"}
    hosted = scenario_from_form(state, base=scenario)
    assert isinstance(hosted, Scenario)
    assert hosted.model == facts.bundled_entry("self_hosting.default_model")["model"]
    chosen = first_scenario("10000 users startup gpt-4o")
    state = submitted(form_view(chosen, ""))
    state["hosting"]["hosting"]["selected_option"] = {"value": "self-hosted:h100"}
    refused = scenario_from_form(state, base=chosen)
    assert isinstance(refused, dict)
    assert "gpt-4o has closed weights" in refused["hosting"]


@pytest.mark.parametrize(
    ("field", "typed", "value"),
    [
        ("users", "10k", 10_000),
        ("users", "1.5M", 1_500_000),
        ("users", "50,000", 50_000),
        ("users", "2 million", 2_000_000),
        ("prototype_cost", "$80k", 80_000),
        ("prototype_cost", "120000", 120_000),
        ("cache_hit_rate", "40%", 0.4),
        ("cache_hit_rate", "40", 0.4),
        ("requests_per_active_user_per_day", "2.5", 2.5),
    ],
)
def test_form_reads_numbers_the_way_typed_requests_do(field: str, typed: str, value: float) -> None:
    values, errors = read_form(submitted(form_view(None, ""), **{field: typed}))
    assert errors == {}
    assert values[field] == pytest.approx(value)


def test_form_reads_a_model_family_as_its_newest_model() -> None:
    from estimator.families import resolve_family

    values, errors = read_form(submitted(form_view(None, ""), model="Gemini  Flash"))
    assert errors == {}
    family = resolve_family("gemini flash")
    assert family is not None and values["model"] == family.model


def test_bad_values_get_one_error_each_with_the_allowed_range() -> None:
    bad = {
        "users": "0",
        "prototype_cost": "$5",
        "cache_hit_rate": "120%",
        "regions": "50",
        "model": "gpt-4o-mnii",
        "input_tokens": "lots",
        "output_tokens": "",
        "requests_per_active_user_per_day": "10x",
    }
    result = scenario_from_form(submitted(form_view(None, ""), **bad))
    assert isinstance(result, dict)
    assert set(result) == set(bad)
    assert "between 1 and 10,000,000,000" in result["users"]
    assert "between $1,000 and $1,000,000,000" in result["prototype_cost"]
    assert "between 0% and 95%" in result["cache_hit_rate"]
    assert "between 1 and 20" in result["regions"]
    assert "gpt-4o-mini" in result["model"]  # close matches named
    assert result["input_tokens"].startswith("Enter a number")
    assert result["output_tokens"] == REQUIRED
    assert result["requests_per_active_user_per_day"].startswith("Enter a number")


def test_fractional_whole_number_says_so() -> None:
    _, errors = read_form(submitted(form_view(None, ""), users="1.5", regions="2.5"))
    assert "whole number" in errors["users"] and "whole number" in errors["regions"]


def test_read_form_on_an_empty_submission_asks_for_every_required_field() -> None:
    values, errors = read_form({})
    assert values == {"compliance": ()}
    assert set(errors) == {f.value for f in FormField} - {FormField.compliance.value}
    assert set(errors.values()) == {REQUIRED}


GARBAGE = [
    None,
    [],
    "values",
    42,
    {"users": None},
    {"users": {"users": None}},
    {"users": {"users": {"value": 5}}},
    {"users": {"users": {"value": ["10k"]}}},
    {"users": {"users": {"value": "9" * 500}}},
    {"users": {"users": {"value": "nan"}}},
    {"stage": {"stage": {"selected_option": "startup"}}},
    {"stage": {"stage": {"selected_option": {"value": ["startup"]}}}},
    {"hosting": {"hosting": {"selected_option": {"value": "self-hosted:tpu"}}}},
    {"uptime": {"uptime": {"selected_option": {"value": 99.9}}}},
    {"compliance": {"compliance": {"selected_options": "soc2"}}},
    {"compliance": {"compliance": {"selected_options": [None, 3, {"value": ["x"]}]}}},
    {"compliance": {"compliance": {"selected_options": [{"value": "pci"}]}}},
]


@pytest.mark.parametrize("state_values", GARBAGE)
def test_read_form_never_raises_on_garbage(state_values: Any) -> None:
    values, errors = read_form(state_values)
    assert isinstance(values, dict) and isinstance(errors, dict)
    assert errors  # nothing here is a complete, valid form
    assert all(isinstance(m, str) and m for m in errors.values())
    assert isinstance(scenario_from_form(state_values), dict)


# Small JSON values: read_form looks one or two levels deep (a value, an option's value, a list
# of options), so four leaves reach every shape it reads, at a fraction of a dozen's cost; and
# most blocks hold their element where read_form looks (at random keys, few did).
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=4,
)
_option = st.fixed_dictionaries({"value": _json}) | _json
_field_state = st.fixed_dictionaries(
    {},
    optional={
        "value": _json,
        "selected_option": _option,
        "selected_options": st.lists(_option, max_size=3) | _json,
    },
)
_FIELDS = [f.value for f in FormField]
_element = _field_state | _json
_any_id = st.sampled_from(_FIELDS) | st.text(max_size=5)
_stray = _json | st.dictionaries(_any_id, _element, max_size=2)


@st.composite
def _form_states(draw: st.DrawFn) -> dict:
    """`view.state.values` of any shape: blocks under the form's IDs or stray ones, most holding
    an element of any shape under their own ID (where read_form looks), beside anything else."""
    state: dict = {}
    ids = draw(st.lists(st.sampled_from(_FIELDS), max_size=4, unique=True))
    for block_id in [*ids, *draw(st.lists(st.text(max_size=5), max_size=1))]:
        block = draw(_stray)
        if draw(st.integers(0, 3)):  # three in four
            block = {**(block if isinstance(block, dict) else {}), block_id: draw(_element)}
        state[block_id] = block
    return state


@given(_form_states())
def test_read_form_never_raises_on_any_payload_shape(state_values: dict) -> None:
    values, errors = read_form(state_values)
    assert isinstance(values, dict) and isinstance(errors, dict)


def test_private_metadata_too_long_for_slack_is_refused() -> None:
    with pytest.raises(ValueError):
        form_view(None, "x" * (limits.PRIVATE_METADATA + 1))


@pytest.mark.parametrize(
    "text",
    ["10000 users startup", "100k users enterprise claude-sonnet-4-5", "2m users self-hosted l4"],
)
def test_the_hosting_tips_break_even_is_the_search_for_that_scenario(text: str) -> None:
    # The tip remembers the search per scenario without its users: the same answer, at any scale.
    from bot.slack.answers import _breakeven
    from estimator.breakeven import break_even

    for users in (1_000, first_scenario(text).users):
        s = first_scenario(text).model_copy(update={"users": users})
        e = estimate(s)
        assert _breakeven(e) == break_even(s)
        managed = next(m for m in thread_tips(e, _breakeven(e)) if "Managed" in m.text)
        assert "When self-hosting pays off" in str(managed.blocks)
        assert_valid_message(managed)


def test_comparison_message_is_one_table_whose_rows_are_each_options_own_estimate() -> None:
    from bot.parsing import compare_options
    from bot.slack.messages.comparison import comparison_message
    from estimator.compare import compare
    from estimator.money import usd_short

    options = compare_options(
        "compare gpt-4o-mini, claude-haiku-4-5, self-hosted l4 for 100k users"
    )
    message = comparison_message(compare(options))
    assert_valid_message(message)
    (table,) = [b for b in message.blocks if b["type"] == "data_table"]
    header, *rows = [[c["text"] for c in r] for r in table["rows"]]
    assert header[1:4] == ["Monthly run-rate", "One-time", "First year"]
    assert sum("cheapest" in row[0] for row in rows) == 1
    for row, (label, scenario) in zip(rows, options, strict=True):
        alone = estimate(scenario).totals
        assert row[0].startswith(label)
        for column, amount in enumerate((alone.monthly, alone.one_time, alone.first_year), 1):
            low, high = usd_short(amount.low, DOLLARS), usd_short(amount.high, DOLLARS)
            assert row[column] == (low if low == high else f"{low}–{high.removeprefix('$')}")
    # The plain-text fallback carries the same rows.
    assert "First year" in message.text and "Cost per user / month" in message.text
