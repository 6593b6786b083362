"""The conversation engine: requests, follow-ups, undo and reset, without Slack."""

from bot import advisor
from bot.advisor import ConversationState, ReplyKind


def _start(text="10000 users startup"):
    return advisor.request(text, ConversationState())


def test_request_gives_an_estimate_and_remembers_the_scenario():
    turn = _start()
    assert turn.reply.kind is ReplyKind.estimate
    assert turn.state.scenario.users == 10_000
    assert turn.changed


def test_follow_up_recomputes_with_new_user_count_and_shows_the_diff():
    turn = advisor.follow_up_text("what if 50k users?", _start().state)
    assert turn.reply.kind is ReplyKind.estimate
    assert turn.state.scenario.users == 50_000
    assert turn.reply.changes == ["users 10,000 → 50,000", "records 1,000,000 → 5,000,000"]
    assert turn.reply.diff.totals["monthly"][1].low > turn.reply.diff.totals["monthly"][0].low


def test_undo_and_reset_walk_back_through_the_history():
    state = _start().state
    state = advisor.follow_up_text("50k users", state).state
    state = advisor.follow_up_text("add hipaa", state).state
    undone = advisor.follow_up_text("undo", state)
    assert undone.state.scenario.users == 50_000 and not undone.state.scenario.compliance
    reset = advisor.follow_up_text("reset", undone.state)
    assert reset.state.scenario.users == 10_000


def test_nothing_to_undo_is_said_kindly():
    turn = advisor.follow_up_text("undo", _start().state)
    assert turn.reply.kind is ReplyKind.info
    assert "Nothing to undo" in turn.reply.text


def test_follow_up_not_understood_gets_a_hint_and_keeps_the_scenario():
    state = _start().state
    turn = advisor.follow_up_text("make it webscale", state)
    assert turn.reply.kind is ReplyKind.hint
    assert "webscale" in turn.reply.text
    assert turn.state == state


def test_out_of_range_follow_up_says_the_range():
    turn = advisor.follow_up_text("0 users", _start().state)
    assert turn.reply.kind is ReplyKind.error
    assert "between 1 and" in turn.reply.text


def test_empty_request_opens_the_form_prefilled():
    state = _start().state
    turn = advisor.request("", state)
    assert turn.reply.kind is ReplyKind.form
    assert turn.reply.scenario == state.scenario


def test_history_is_capped():
    state = _start().state
    for n in range(advisor.HISTORY_LIMIT + 5):
        state = advisor.follow_up_text(f"{20_000 + n} users", state).state
    assert len(state.history) == advisor.HISTORY_LIMIT


def test_state_round_trips_through_json():
    state = advisor.follow_up_text("add hipaa", _start().state).state
    again = ConversationState.model_validate_json(state.model_dump_json())
    assert again == state


def test_a_comparisons_question_asked_again_in_its_thread_changes_every_option():
    asked = advisor.request("compare gpt-4o vs claude-haiku-4-5 for 50k users", ConversationState())
    assert asked.state == ConversationState()  # a terminal chat stays where it was
    thread = ConversationState(question=asked.reply.question)
    again = advisor.follow_up_text("what if 100k users?", thread)
    assert again.reply.kind is ReplyKind.comparison and again.changed
    assert [o.label for o in again.reply.comparison.options] == ["gpt-4o", "claude-haiku-4-5"]
    assert {s.users for _, s in again.state.question.options} == {100_000}
    same = advisor.follow_up_text("use claude-haiku-4-5", thread)
    assert same.reply.kind is ReplyKind.error and "the same" in same.reply.text
    export = advisor.follow_up_text("export", thread)  # needs an estimate: says what to type
    assert "what if 100k users?" in export.reply.text and not export.changed
    already = advisor.follow_up_text("reset", thread)
    assert already.reply.text == "Already at the first comparison." and not already.changed
    reset = advisor.follow_up_text("reset", again.state)  # the first question, answered again
    assert reset.reply.kind is ReplyKind.comparison and reset.changed
    assert reset.state.question == thread.question
    assert reset.state.asked_before == (thread.question, again.state.question)
    assert reset.reply.step == "Reset: back to the first comparison."
    assert again.reply.step == ""  # a change is a comparison of its own, not a step back
    nothing = advisor.follow_up_text("undo", thread)
    assert nothing.reply.text == "Nothing to undo: this is the first comparison."
    assert not nothing.changed
    undone = advisor.follow_up_text("undo", again.state)  # one change back: the first question
    assert undone.reply.kind is ReplyKind.comparison and undone.changed
    assert undone.state == thread and undone.reply.question == thread.question
    assert undone.reply.step == "Undone: back to the first comparison."
    twice = advisor.follow_up_text("what if 200k users?", again.state)
    assert advisor.follow_up_text("undo", twice.state).reply.step == (
        "Undone: back to the previous comparison."
    )


def test_a_break_even_asked_again_keeps_the_model_named_for_its_other_side():
    text = "when does self-hosting llama 70b pay off vs claude-sonnet-4-5 for 20k users"
    asked = advisor.request(text, ConversationState())
    thread = ConversationState(question=asked.reply.question)
    again = advisor.follow_up_text("what if 100k users?", thread)
    assert again.reply.kind is ReplyKind.breakeven
    assert again.reply.breakeven.scenario.users == 100_000
    assert again.reply.breakeven.api.model == "claude-sonnet-4-5"


def test_cheaper_model_typed_moves_to_the_cheaper_model_or_says_it_is_the_cheapest():
    moved = advisor.follow_up_text("try a cheaper model", _start("10k users gpt-4o").state)
    assert moved.reply.kind is ReplyKind.estimate
    assert moved.state.scenario.model != "gpt-4o"
    assert moved.reply.changes[0].startswith("model gpt-4o →")
    cheapest = advisor.follow_up_text("cheaper model", moved.state)
    for _ in range(10):  # each step is strictly cheaper, so this ends at the cheapest
        if cheapest.reply.kind is not ReplyKind.estimate:
            break
        cheapest = advisor.follow_up_text("cheaper model", cheapest.state)
    assert cheapest.reply.text == advisor.ALREADY_CHEAPEST
