"""The app's Messages tab (Slack's agent messaging experience): a new chat gets suggested
prompts; its first message is answered in the chat, which is titled after the estimate; replies
there are follow-ups; "form", "forget", "chart", "export" and "help" do what /aicost's words do
(the chart's loading status, drawn by a chart process, is in tests/e2e/test_agent_messages.py).
Signed requests shaped as Slack sends them, the
bot in this process, the fake Slack and a real Redis."""

from __future__ import annotations

import uuid

from slack_sdk.errors import SlackApiError

from bot.slack.agent_messages import SUGGESTED_PROMPTS
from bot.slack.ids import HomeAction
from tests.support.agent_payloads import assistant_thread_body, chat_message, dm_message
from tests.support.fake_slack import FakeSlack
from tests.support.in_process import bot_in_process
from tests.support.reading import new_team, posts, text_of
from tests.support.signing import event_callback_body, message_event, new_ts


def person() -> tuple[str, str]:
    """A person and their DM with the app."""
    user = "U" + uuid.uuid4().hex[:9].upper()
    return user, "D" + user[1:]


async def test_a_new_chat_gets_the_suggested_prompts_on_its_thread(redis_url: str) -> None:
    team, (user, dm), root = new_team(), person(), new_ts()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        slack.start_chat(dm, root)
        body = assistant_thread_body(
            "assistant_thread_started", user=user, dm=dm, thread_ts=root, team_id=team
        )
        assert await bot.post(body) == 200
        # The chat's root message Slack posts (subtype assistant_app_thread) asks nothing.
        root_event = message_event(
            "New chat", channel=dm, user=user, ts=root, channel_type="im", team=team,
            subtype="assistant_app_thread",
        )  # fmt: skip
        assert await bot.post(event_callback_body(root_event, team_id=team)) == 200
        await bot.settle()
        (call,) = slack.calls_to("assistant.threads.setSuggestedPrompts")
    assert call.ok and call.args["channel_id"] == dm and call.args["thread_ts"] == root
    assert [p["message"] for p in call.args["prompts"]] == [p["message"] for p in SUGGESTED_PROMPTS]
    assert posts(slack, dm) == []  # prompts, not a message
    assert slack.violations == []


async def test_the_channel_beside_a_chat_changing_is_acknowledged_and_answers_nothing(
    redis_url: str,
) -> None:
    team, (user, dm), root = new_team(), person(), new_ts()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        slack.start_chat(dm, root)
        body = assistant_thread_body(
            "assistant_thread_context_changed", user=user, dm=dm, thread_ts=root, team_id=team
        )
        assert await bot.post(body) == 200  # Bolt answers 404 to an event nobody listens to
        await bot.settle()
    assert [c.method for c in slack.calls if c.method != "auth.test"] == []


async def test_a_chats_first_message_is_answered_in_it_titled_and_replies_follow_up(
    redis_url: str,
) -> None:
    team, (user, dm), root = new_team(), person(), new_ts()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        slack.start_chat(dm, root)
        ask = chat_message("10000 users startup", dm=dm, user=user, thread_ts=root, team=team)
        assert await bot.post(event_callback_body(ask, team_id=team)) == 200
        await bot.settle()
        estimate, *tips = posts(slack, dm, root)
        assert "10,000" in text_of(estimate.args["blocks"]) and tips
        assert slack.chat_titles(dm, root) == ["AI in production: 10,000 users · startup"]
        reply = chat_message("what if 50k users?", dm=dm, user=user, thread_ts=root, team=team)
        await bot.post(event_callback_body(reply, team_id=team))
        await bot.settle()
        answer = posts(slack, dm, root)[-1]
    assert "users 10,000 → 50,000" in text_of(answer.args["blocks"])
    assert posts(slack, dm, ask["ts"]) == []  # in the chat, not a thread under the message
    assert slack.violations == []


async def test_help_form_and_undo_in_the_dm_answer_in_the_messages_thread(redis_url: str) -> None:
    team, (user, dm) = new_team(), person()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        asked = {}
        for word in ("help", "form", "undo"):
            event = dm_message(word, dm=dm, user=user, team=team)
            asked[word] = event["ts"]
            await bot.post(event_callback_body(event, team_id=team))
        await bot.settle()
        (help_,) = posts(slack, dm, asked["help"])
        (form,) = posts(slack, dm, asked["form"])
        (undo,) = posts(slack, dm, asked["undo"])
    assert "in its thread" in text_of(undo.args["blocks"])
    assert "forget" in text_of(help_.args["blocks"])
    (button,) = [e for b in form.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == HomeAction.new_estimate.value  # opens the form, as on Home
    assert slack.violations == []


async def test_chart_export_and_forget_in_the_dm_act_on_its_latest_estimate(
    redis_url: str,
) -> None:
    team, (user, dm) = new_team(), person()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:

        async def say(text: str) -> str:
            event = dm_message(text, dm=dm, user=user, team=team)
            await bot.post(event_callback_body(event, team_id=team))
            await bot.settle()
            return event["ts"]

        nothing_yet = await say("export")
        await say("10000 users startup")
        export = await say("export")
        csv, json_ = await slack.wait_for_files(dm, export, count=2)
        forget = await say("forget")
        after = await say("chart")
    assert "no estimate" in text_of(posts(slack, dm, nothing_yet)[0].args["blocks"])
    assert csv.filename.endswith(".csv") and json_.filename.endswith(".json")
    assert "Forgotten" in text_of(posts(slack, dm, forget)[0].args["blocks"])
    assert "no estimate" in text_of(posts(slack, dm, after)[0].args["blocks"])
    assert slack.violations == []


async def test_hello_help_forget_and_chart_in_the_dm_speak_of_the_dm_without_the_slash(
    redis_url: str,
) -> None:
    team, (user, dm) = new_team(), person()
    async with FakeSlack() as slack, bot_in_process(slack, redis_url) as bot:
        asked = {}
        for word in ("hi", "help", "chart", "forget"):
            event = dm_message(word, dm=dm, user=user, team=team)
            asked[word] = event["ts"]
            await bot.post(event_callback_body(event, team_id=team))
            await bot.settle()
        said = {w: text_of(posts(slack, dm, ts)[0].args["blocks"]) for w, ts in asked.items()}
    # Here a person writes the words alone: no slash command, no @mention, no channel.
    assert "Write a scenario here" in said["hi"] and "mention me" not in said["hi"]
    for word in ("hi", "help"):
        assert "`10000 users startup`  an itemised estimate" in said[word]
        assert "`/aicost 10000 users startup`" not in said[word]
    assert "no estimate here" in said["chart"] and "/aicost" not in said["chart"]
    assert "stored for this conversation" in said["forget"]
    assert "channel" not in said["chart"] + said["forget"]
    assert slack.violations == []


async def test_the_fake_slack_checks_assistant_calls_as_slack_does() -> None:
    async with FakeSlack() as slack:
        client = slack.client()
        slack.start_chat("D0CHECK01", "1710000000.000100")
        prompts = list(SUGGESTED_PROMPTS)
        await client.assistant_threads_setSuggestedPrompts(channel_id="D0CHECK01", prompts=prompts)
        await client.assistant_threads_setSuggestedPrompts(
            channel_id="D0CHECK01", thread_ts="1710000000.000100", prompts=prompts
        )
        assert slack.violations == []  # the tab's prompts, and a chat Slack started
        await client.assistant_threads_setSuggestedPrompts(
            channel_id="D0CHECK01", thread_ts="1710000000.000999", prompts=prompts
        )
        assert slack.violations  # a thread that is no chat: Slack would drop it
        await client.assistant_threads_setTitle(
            channel_id="D0CHECK01", thread_ts="1710000000.000100", title="10,000 users"
        )
        assert slack.chat_titles("D0CHECK01", "1710000000.000100") == ["10,000 users"]
        for bad in (
            {"channel_id": "C0CHANNEL", "title": "x"},
            {"channel_id": "D0CHECK01", "title": " "},
        ):
            try:
                await client.assistant_threads_setTitle(thread_ts="1710000000.000100", **bad)
            except SlackApiError as exc:
                assert exc.response["error"] in ("channel_not_found", "invalid_arguments")
            else:
                raise AssertionError(f"setTitle took {bad}")
