"""What a comparison's or break-even's message carries in its metadata: whose it is and its
scenarios, never anyone's words, within the room kept for it; what does not read back as one
(forged, cut, someone else's) is no question at all."""

from __future__ import annotations

import json

from bot.slack import answers
from bot.slack.limits import QUESTION_METADATA
from bot.slack.question_metadata import question_in, question_metadata, with_step
from bot.slack.where import Where

HERE = Where(team="T0AAA", channel="C0BBB", user="U0CCC")


def _posted(text: str) -> tuple[dict, object]:
    """The message as Slack returns it (with metadata), and the question it asked."""
    answer = answers.request(text)
    (message,) = answer.messages
    metadata = question_metadata(HERE, answer.state.question)
    shown = {"bot_id": "B1", "blocks": message.blocks, "metadata": metadata}
    return shown, answer.state.question


def test_a_comparison_reads_back_with_the_names_its_table_shows_and_no_words_in_metadata():
    shown, question = _posted("compare my gpt-4o vs claude-haiku-4-5 for 50k users")
    assert "my gpt-4o" not in json.dumps(shown["metadata"])
    owner, read = question_in(shown)
    assert owner.owner == "T0AAA" and read == question


def test_a_comparison_whose_table_is_gone_is_named_by_its_models():
    shown, question = _posted("compare my gpt-4o vs claude-haiku-4-5 for 50k users")
    _, read = question_in({**shown, "blocks": []})
    assert [name for name, _ in read.options] == ["gpt-4o", "claude-haiku-4-5"]
    assert [s for _, s in read.options] == [s for _, s in question.options]


def test_a_break_even_reads_back_with_the_model_for_its_other_side():
    text = "when does self-hosting llama 70b pay off vs claude-sonnet-4-5 for 20k users"
    shown, question = _posted(text)
    _, read = question_in(shown)
    assert read == question and read.other_model == "claude-sonnet-4-5"


def test_metadata_that_does_not_read_back_is_no_question():
    shown, _ = _posted("compare gpt-4o vs claude-haiku-4-5 for 50k users")
    payload = shown["metadata"]["event_payload"]
    for broken in (
        {**payload, "question": payload["question"][:40]},  # cut short
        {**payload, "question": '{"options":[{"users":-5},{"users":1}]}'},  # out of range
        {**payload, "question": "[]"},
        {**payload, "owner": "someone"},
        {},
    ):
        metadata = {**shown["metadata"], "event_payload": broken}
        assert question_in({**shown, "metadata": metadata}) is None, broken
    assert question_in({**shown, "bot_id": None}) is None  # a person's message
    assert question_in({"bot_id": "B1", "metadata": {"event_type": "aicost_step"}}) is None


def test_a_question_past_the_room_is_posted_without_metadata():
    answer = answers.request("compare gpt-4o vs claude-haiku-4-5 for 50k users")
    question = answer.state.question
    fitted = question_metadata(HERE, question)
    assert len(fitted["event_payload"]["question"]) <= QUESTION_METADATA
    many = question.model_copy(update={"options": question.options * 20})
    assert question_metadata(HERE, many) is None


def test_a_queued_job_s_message_names_its_step_and_its_question():
    own = question_metadata(
        HERE, answers.request("compare gpt-4o vs o3 for 5k users").state.question
    )
    step = {"event_type": "aicost_step", "event_payload": {"job": "j1", "step": "1"}}
    both = with_step(own, step)
    assert both["event_payload"]["job"] == "j1" and both["event_payload"]["step"] == "1"
    assert both["event_payload"]["question"] == own["event_payload"]["question"]
    assert with_step(None, step) == step
