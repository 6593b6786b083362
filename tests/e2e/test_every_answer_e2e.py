"""Models no default GPU holds, through a real `python -m bot` (its estimate worker, the fake
Slack, a real Redis): the estimate and every tip are posted, the break-even says where it lies or
why it cannot, and a change the model cannot take is a sentence in the thread; never silence."""

from __future__ import annotations

import uuid

import pytest

from tests.support.reading import channel_id, estimate_with_tips, next_thread_reply, posts, text_of
from tests.support.signing import event_callback_body, message_event, slash_command_body

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def slash(slack, bot, team, text: str) -> tuple[str, str]:
    """/aicost text in a new channel; (the channel, the response_url's name)."""
    channel, name = channel_id(), uuid.uuid4().hex
    body = slash_command_body(
        text, team_id=team, channel_id=channel, response_url=slack.response_url(name)
    )
    status, _, _ = await bot.post(body)
    assert status == 200
    return channel, name


@pytest.mark.parametrize(
    ("model", "hosting_says"),
    [
        ("deepseek-r1", "self-hosting on H200 GPUs vs deepseek-r1"),
        ("kimi-k2", "break-even with self-hosting is left out: kimi-k2"),
    ],
)
async def test_estimate_of_a_model_no_default_gpu_holds_is_posted_with_every_tip(
    slack, bot, team, model, hosting_says
):
    text = f"10k users {model}"
    channel, _ = await slash(slack, bot, team, text)
    ts = await estimate_with_tips(slack, channel, text)
    thread = " ".join(text_of(c.args["blocks"]) for c in posts(slack, channel, ts))
    assert "When self-hosting pays off" in thread and hosting_says in thread
    assert slack.violations == []


async def test_break_even_question_for_deepseek_r1_is_posted(slack, bot, team):
    question = "when does self-hosting pay off for 10k users deepseek-r1"
    channel, _ = await slash(slack, bot, team, question)
    (posted,) = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("channel") == channel
    )
    assert "self-hosting on H200 GPUs vs deepseek-r1" in text_of(posted.args["blocks"])


async def test_break_even_question_no_gpu_can_answer_is_a_private_sentence(slack, bot, team):
    _, name = await slash(slack, bot, team, "when does self-hosting pay off for 10k users kimi-k2")
    (response,) = await slack.wait_for_response(name)
    assert response.body["response_type"] == "ephemeral"
    assert "kimi-k2 (1,000B parameters) is too big to self-host here" in text_of(response.body)


async def test_a_change_the_model_cannot_take_is_a_sentence_in_the_thread(slack, bot, team):
    text = "10k users deepseek-r1"
    channel, _ = await slash(slack, bot, team, text)
    ts = await estimate_with_tips(slack, channel, text)
    event = message_event("self-hosted on h100", channel=channel, thread_ts=ts, team=team)
    reply = await next_thread_reply(slack, ts, bot.post(event_callback_body(event, team_id=team)))
    assert "does not fit one node of 8 H100 GPUs" in text_of(reply.args["blocks"])
    assert "failed to answer" not in bot.logs()
