"""Fault injection: the bot under forged requests, duplicate deliveries, Redis and Slack outages,
abuse, hostile input, another workspace's traffic, secrets in logs, shutdown under load, memory
pressure, and estimate workers killed under load.

Every fault is injected for real. Requests reach a real `python -m bot` over HTTP, signed (or
mis-signed) exactly as Slack signs them. The bot calls the fake Slack Web API, which fails on
demand; some bots reach it through a loopback relay that drops connections on demand. State lives
in a real Redis that is stopped or frozen on demand. The module counts what it does (cases tried,
requests sent, replies expected and received) and prints one line at the end; docs/reliability.md
quotes those figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import aiohttp
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import advisor
from bot.advisor import ConversationState, ReplyKind
from bot.parsing import InputError, first_scenario, parse
from bot.slack.estimate_form import form_view
from bot.slack.ids import Action, Callback
from bot.slack.job_stream import STREAM, queue_claim_key
from bot.slack.message import Message
from bot.slack.messages.estimate import estimate_message
from bot.slack.messages.replies import (
    error_message,
    help_message,
    hint_message,
    info_message,
    store_unavailable_note,
)
from bot.slack.messages.tips import thread_tips
from bot.slack.metadata import FormMetadata
from bot.slack.ratelimit import PER_USER, PER_WORKSPACE, WINDOW_SECONDS
from bot.slack.slack_text import plain
from bot.slack.store import make_store
from bot.slack.store.keys import channel_keys, workspace_keys, workspace_prefix
from bot.slack.store.protocols import ESTIMATE_HISTORY
from tests.support.bot_process import SIGNING_SECRET, BotProcess
from tests.support.fake_slack import BOT_USER_ID, TEST_BOT_TOKEN, Call, FakeSlack
from tests.support.reading import (
    channel_id,
    new_team,
    posts,
    submitted_state,
    text_of,
    tips_for,
)
from tests.support.redis_server import RedisServer
from tests.support.signing import (
    app_mention_event,
    block_actions_body,
    event_callback_body,
    headers_for,
    message_event,
    sign,
    slash_command_body,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

ACK_SECONDS = 3.0  # Slack gives up on an acknowledgement after 3 s
WORKERS = 1 if len(os.sched_getaffinity(0)) > 1 else 0  # estimate workers a bot starts here
STANDARD = "10000 users startup"
DUPLICATES = 'aicost_requests_total{kind="duplicate"}'
LISTENER_KINDS = ("slash_command", "button", "thread_reply", "mention", "view_submission")
# Markup that would ping people or hide a link if user text came back unescaped.
RAW_MARKUP = ("<!channel>", "<!here>", "<@U123>", "<https://")


# --- the suite's own figures --------------------------------------------------------------------


@dataclass
class Figures:
    cases: int = 0  # faults injected and inputs tried
    requests: int = 0  # HTTP requests sent to bot processes
    replies_expected: int = 0  # answers the bot owed someone (Slack messages, private replies)
    replies_received: int = 0  # of those, the ones that reached the fake Slack

    @property
    def replies_lost(self) -> int:
        return self.replies_expected - self.replies_received

    def line(self) -> str:
        return (
            f"reliability suite: {self.cases} cases tried, {self.requests} requests sent, "
            f"{self.replies_expected} replies expected, {self.replies_received} received, "
            f"{self.replies_lost} lost"
        )


FIGURES = Figures()
FIGURES_FILE = Path(tempfile.gettempdir()) / "aicost-reliability-figures.json"


@pytest.fixture(scope="module", autouse=True)
def figures(request: pytest.FixtureRequest):
    yield FIGURES
    FIGURES_FILE.write_text(json.dumps({**asdict(FIGURES), "replies_lost": FIGURES.replies_lost}))
    line = f"\n{FIGURES.line()} (also in {FIGURES_FILE})"
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        print(line)


def tried(n: int = 1) -> None:
    FIGURES.cases += n


async def send(bot: BotProcess, body: bytes, **kwargs: Any) -> tuple[int, str, float]:
    FIGURES.requests += 1
    return await bot.post(body, **kwargs)


async def get(bot: BotProcess, path: str) -> tuple[int, str]:
    FIGURES.requests += 1
    return await bot.get(path)


async def replies(
    slack: FakeSlack,
    predicate: Callable[[Call], bool],
    count: int = 1,
    already: int = 0,
    timeout: float = 5.0,
) -> list[Call]:
    """Wait for `count` more Web API calls matching `predicate` (beyond `already`), counted as
    replies owed; a timeout leaves them counted as lost."""
    FIGURES.replies_expected += count
    found = await slack.wait_for(predicate, count=already + count, timeout=timeout)
    FIGURES.replies_received += count
    return found


async def private_reply(slack: FakeSlack, name: str, timeout: float = 5.0) -> dict[str, Any]:
    """The one response_url POST under `name`, counted as a reply owed."""
    FIGURES.replies_expected += 1
    (response,) = await slack.wait_for_response(name, timeout=timeout)
    FIGURES.replies_received += 1
    return response.body


async def private_replies(
    slack: FakeSlack, names: set[str], count: int, timeout: float = 5.0
) -> list[Any]:
    """Wait for `count` response_url POSTs under any of `names`, counted as replies owed."""
    FIGURES.replies_expected += count

    async def arrived() -> bool:
        return len([r for r in slack.responses if r.name in names]) >= count

    await until(arrived, f"{count} private replies", timeout)
    FIGURES.replies_received += count
    return [r for r in slack.responses if r.name in names]


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


# --- what the bot sent, logged and stored -------------------------------------------------------


def root_in(channel: str) -> Callable[[Call], bool]:
    def predicate(c: Call) -> bool:
        return (
            c.method == "chat.postMessage"
            and c.ok
            and c.args.get("channel") == channel
            and "thread_ts" not in c.args
        )

    return predicate


def in_thread(channel: str, ts: str) -> Callable[[Call], bool]:
    def predicate(c: Call) -> bool:
        return (
            c.method == "chat.postMessage"
            and c.ok
            and c.args.get("channel") == channel
            and c.args.get("thread_ts") == ts
        )

    return predicate


def new_name() -> str:
    return uuid.uuid4().hex


def command(slack: FakeSlack, text: str, **fields: Any) -> bytes:
    """An /aicost body whose response_url is the fake's: the suite never reaches the internet."""
    fields.setdefault("response_url", slack.response_url(new_name()))
    return slash_command_body(text, **fields)


def button(slack: FakeSlack, action: Action, **fields: Any) -> bytes:
    """A click on `action`, with the fake's response_url."""
    fields.setdefault("response_url", slack.response_url(new_name()))
    return block_actions_body(action.value, "x", **fields)


def log_of(bot: BotProcess) -> str:
    return bot.log_path.read_text(errors="replace")


def assert_no_traceback(bot: BotProcess) -> None:
    log = log_of(bot)
    assert "Traceback" not in log, log[log.index("Traceback") - 500 :][:3000]


async def metric(bot: BotProcess, sample: str) -> float:
    _, text = await get(bot, "/metrics")
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def listener_runs(bot: BotProcess) -> dict[str, float]:
    _, text = await get(bot, "/metrics")
    runs = {}
    for kind in LISTENER_KINDS:
        sample = f'aicost_requests_total{{kind="{kind}"}} '
        runs[kind] = next(
            (
                float(line.rsplit(" ", 1)[1])
                for line in text.splitlines()
                if line.startswith(sample)
            ),
            0.0,
        )
    return runs


async def keys_of(redis: aioredis.Redis, team: str) -> list[str]:
    return sorted([key async for key in redis.scan_iter(match=f"*{team}*", count=1000)])


async def burst(
    slack: FakeSlack, bot: BotProcess, team: str, channels: list[str]
) -> list[tuple[int, str, float]]:
    """/aicost in each channel at once, each from its own person; the acknowledgements."""
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(
            *(
                send(
                    bot,
                    command(slack, STANDARD, team_id=team, channel_id=channel, user_id=f"U{n:02d}"),
                    session=session,
                )
                for n, channel in enumerate(channels)
            )
        )


async def estimate_in(
    slack: FakeSlack,
    bot: BotProcess,
    team: str,
    channel: str,
    text: str = STANDARD,
    user: str = "U1",
    thread_messages: int | None = None,
    secret: str = SIGNING_SECRET,
) -> str:
    """/aicost in `channel`, acknowledged in time; returns the estimate's ts once its thread has
    `thread_messages` replies (the tips, by default)."""
    tried()
    status, body, seconds = await send(
        bot, command(slack, text, team_id=team, channel_id=channel, user_id=user), secret=secret
    )
    assert status == 200 and seconds < ACK_SECONDS, body
    (root,) = await replies(slack, root_in(channel))
    ts = root.response["ts"]
    expected = tips_for(text) if thread_messages is None else thread_messages
    await replies(slack, in_thread(channel, ts), count=expected)
    return ts


TIPS = tips_for(STANDARD)


def payloads_to(slack: FakeSlack, channels: set[str], names: set[str]) -> str:
    """Everything the bot sent to these channels and response_urls, as one JSON string."""
    sent: list[Any] = [c.args for c in slack.calls if c.args.get("channel") in channels]
    sent += [r.body for r in slack.responses if r.name in names]
    return json.dumps(sent, ensure_ascii=False)


# --- fixtures: one fake Slack, one Redis, bots started once per module ----------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def redis(redis_url):
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    await client.aclose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def slack():
    async with FakeSlack() as fake:
        yield fake


async def _started(process: BotProcess):
    await process.start()
    try:
        yield process
    finally:
        assert await process.stop() == 0, process.logs()


def alone(redis_url: str, database: int) -> str:
    """The same Redis server, another database: bots sharing a Redis share its job queue, so a
    test that watches what one process does itself (its log, its worker, its drain) gives it a
    queue of its own."""
    return urlsplit(redis_url)._replace(path=f"/{database}").geturl()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(slack, redis_url):
    """The bot as deployed: Redis for state, duplicates and rate limits."""
    async for process in _started(BotProcess(slack.base_url, redis_url)):
        yield process


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def memory_bot(slack):
    """The bot without REDIS_URL: all of that in process memory."""
    async for process in _started(BotProcess(slack.base_url, None)):
        yield process


@pytest.fixture(scope="module", params=["redis", "memory"])
def store_bot(request, bot, memory_bot):
    return bot if request.param == "redis" else memory_bot


@pytest.fixture(scope="module")
def outage_redis():
    """A private Redis for the bot whose Redis goes down (the shared one stays up)."""
    with RedisServer() as server:
        yield server


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def outage_bot(slack, outage_redis):
    async for process in _started(BotProcess(slack.base_url, outage_redis.url)):
        yield process


class DroppingRelay:
    """A loopback TCP relay in front of the fake Slack that can cut connections: each of the next
    `drop_next(n)` requests is read and its connection closed without an answer, which the Web
    API client sees as a dropped connection."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.dropped_at: list[float] = []
        self._drops = 0
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> DroppingRelay:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return self

    @property
    def base_url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/api/"

    def drop_next(self, times: int) -> None:
        self._drops += times

    def reset(self) -> None:
        self._drops = 0
        self.dropped_at.clear()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for pipe in self._pipes:
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)

        async def upstream() -> None:
            while data := await reader.read(65536):
                if self._drops > 0:
                    self._drops -= 1
                    self.dropped_at.append(time.monotonic())
                    writer.transport.abort()
                    up_writer.close()
                    return
                up_writer.write(data)
                await up_writer.drain()
            up_writer.close()

        async def downstream() -> None:
            while data := await up_reader.read(65536):
                writer.write(data)
                await writer.drain()
            writer.close()

        pipe = asyncio.ensure_future(
            asyncio.gather(upstream(), downstream(), return_exceptions=True)
        )
        self._pipes.add(pipe)
        pipe.add_done_callback(self._pipes.discard)
        await asyncio.wait([pipe])


class TimedCalls(list):
    """FakeSlack.calls that also notes when each call arrived (the fake records no times)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[int, float] = {}

    def append(self, call: Call) -> None:
        self.arrived[id(call)] = time.monotonic()
        super().append(call)

    def at(self, call: Call) -> float:
        return self.arrived[id(call)]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def flaky_slack():
    """A fake Slack of its own for the Slack-outage tests: its faults hit no other bot."""
    async with FakeSlack() as fake:
        fake.calls = TimedCalls()
        yield fake


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def relay(flaky_slack):
    relay = await DroppingRelay(flaky_slack.port).start()
    yield relay
    await relay.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def flaky_bot(flaky_slack, relay):
    async for process in _started(BotProcess(relay.base_url, None)):
        # Warm up: Bolt checks the token (auth.test) on the first request; faults come after.
        name = new_name()
        await send(process, slash_command_body("help", response_url=flaky_slack.response_url(name)))
        await private_reply(flaky_slack, name)
        yield process


@pytest.fixture
def slack_outage(flaky_slack, relay):
    """Faults left unspent by a test (times=10 when the client gives up after 3) are cleared."""
    yield flaky_slack, relay
    flaky_slack.reset()
    relay.reset()


# === 1. Forged and replayed requests


def _forged_headers(forgery: str, body: bytes) -> dict[str, str]:
    now = int(time.time())
    headers = headers_for(body, SIGNING_SECRET)
    if forgery == "wrong_secret":
        return headers_for(body, "not-the-signing-secret")
    if forgery == "signature_of_another_body":
        return {**headers, **sign(body + b"&x=1", SIGNING_SECRET)}
    if forgery == "no_signature":
        del headers["X-Slack-Signature"]
    elif forgery == "no_timestamp":
        del headers["X-Slack-Request-Timestamp"]
    elif forgery == "timestamp_6_minutes_old":
        headers = headers_for(body, SIGNING_SECRET, timestamp=now - 6 * 60)
    elif forgery == "timestamp_6_minutes_ahead":
        headers = headers_for(body, SIGNING_SECRET, timestamp=now + 6 * 60)
    return headers


FORGERIES = [
    "wrong_secret",
    "signature_of_another_body",
    "no_signature",
    "no_timestamp",
    "timestamp_6_minutes_old",
    "timestamp_6_minutes_ahead",
]


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_forged_or_stale_request_gets_401_and_reaches_no_listener_slack_or_redis(
    slack, bot, redis, forgery
):
    team, channel, name = new_team(), channel_id(), new_name()
    trigger = "trigger-" + new_name()
    url = slack.response_url(name)
    bodies = [
        command(slack, STANDARD, team_id=team, channel_id=channel, response_url=url),
        command(slack, "form", team_id=team, channel_id=channel, trigger_id=trigger),
        event_callback_body(
            app_mention_event("10k users", channel=channel, team=team), team_id=team
        ),
        button(slack, Action.what_if_10x, channel_id=channel, team_id=team, response_url=url),
    ]
    before = await listener_runs(bot)
    for body in bodies:
        tried()
        status, _, seconds = await send(
            bot, body, headers=_forged_headers(forgery, body), signed=False
        )
        assert status == 401 and seconds < ACK_SECONDS
    assert await listener_runs(bot) == before

    # A good request after them is answered: by then the forged ones would have been too.
    marker = new_name()
    await send(
        bot, command(slack, "help", team_id=new_team(), response_url=slack.response_url(marker))
    )
    await private_reply(slack, marker)

    assert [c for c in slack.calls if c.args.get("channel") == channel] == []
    assert [c for c in slack.calls_to("views.open") if c.args.get("trigger_id") == trigger] == []
    assert slack.responses_to(name) == []
    assert await keys_of(redis, team) == []


# === 2. Duplicate deliveries


async def test_an_event_retried_and_redelivered_by_slack_is_answered_once(slack, redis, store_bot):
    team, channel, event_id = new_team(), channel_id(), "Ev" + uuid.uuid4().hex[:10].upper()
    ts = await estimate_in(slack, store_bot, team, channel)
    before = len(posts(slack, channel, ts))
    dropped = await metric(store_bot, DUPLICATES)
    event = message_event("what if 50k users?", channel=channel, thread_ts=ts, team=team)
    body = event_callback_body(event, team_id=team, event_id=event_id)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    for headers in ({}, retry, {}):  # delivered, retried after a timeout, redelivered
        tried()
        status, _, seconds = await send(store_bot, body, headers=headers)
        assert status == 200 and seconds < ACK_SECONDS

    async def both_dropped() -> bool:
        return await metric(store_bot, DUPLICATES) >= dropped + 2

    await until(both_dropped, "the two copies to be dropped")
    (*_, answer) = await replies(slack, in_thread(channel, ts), already=before)
    assert "users 10,000 → 50,000" in text_of(answer.args["blocks"])
    assert len(posts(slack, channel, ts)) == before + 1
    if "REDIS_URL" in store_bot.env:  # the claim is a Redis key that expires (SET NX EX)
        claim = queue_claim_key(STREAM, f"event:{team}:{event_id}")
        assert 0 < await redis.ttl(claim) <= 600


async def test_a_button_clicked_twice_and_delivered_again_answers_once(slack, store_bot):
    team, channel = new_team(), channel_id()
    ts = await estimate_in(slack, store_bot, team, channel)
    before = len(posts(slack, channel, ts))
    dropped = await metric(store_bot, DUPLICATES)
    click = button(slack, Action.what_if_10x, channel_id=channel, message_ts=ts, team_id=team)
    second_click = button(
        slack, Action.what_if_10x, channel_id=channel, message_ts=ts, team_id=team
    )
    tried(3)
    acks = await asyncio.gather(
        send(store_bot, click), send(store_bot, second_click), send(store_bot, click)
    )
    assert all(status == 200 and seconds < ACK_SECONDS for status, _, seconds in acks)

    async def two_dropped() -> bool:
        return await metric(store_bot, DUPLICATES) >= dropped + 2

    await until(two_dropped, "the second click and the redelivery to be dropped")
    (*_, answer) = await replies(slack, in_thread(channel, ts), already=before)
    assert "users 10,000 → 100,000" in text_of(answer.args["blocks"])
    assert len(posts(slack, channel, ts)) == before + 1


# === 3. Redis outage


def _has_store_note(call: Call) -> bool:
    return store_unavailable_note() in call.args.get("blocks", [])


async def _follow_up_answered(slack: FakeSlack, bot: BotProcess, team: str, channel: str, ts: str):
    before = len(posts(slack, channel, ts))
    tried()
    event = message_event("what if 50k users?", channel=channel, thread_ts=ts, team=team)
    status, _, seconds = await send(bot, event_callback_body(event, team_id=team))
    assert status == 200 and seconds < ACK_SECONDS
    (*_, answer) = await replies(slack, in_thread(channel, ts), already=before)
    assert "users 10,000 → 50,000" in text_of(answer.args["blocks"])
    assert not _has_store_note(answer)


async def test_redis_down_estimates_still_arrive_with_a_note_and_recover_without_restart(
    slack, outage_bot, outage_redis
):
    team = new_team()
    pid = outage_bot.process.pid
    outage_redis.stop()
    try:
        channel = channel_id()
        started = time.monotonic()
        # The thread gets the tips, then the note that follow-ups are unavailable.
        ts = await estimate_in(slack, outage_bot, team, channel, thread_messages=TIPS + 1)
        assert time.monotonic() - started < ACK_SECONDS
        assert _has_store_note(posts(slack, channel, ts)[-1])
        tried()
        status, body = await get(outage_bot, "/healthz")
        assert status == 503 and json.loads(body)["redis"] == "down"
        assert outage_bot.process.poll() is None
    finally:
        outage_redis.start()

    async def healthy() -> bool:
        return (await get(outage_bot, "/healthz"))[0] == 200

    await until(healthy, "/healthz to report Redis back")
    channel = channel_id()
    ts = await estimate_in(slack, outage_bot, team, channel)
    assert not any(_has_store_note(c) for c in posts(slack, channel, ts))
    await _follow_up_answered(slack, outage_bot, team, channel, ts)
    assert outage_bot.process.pid == pid and outage_bot.process.poll() is None
    assert_no_traceback(outage_bot)


async def test_redis_that_hangs_delays_no_ack_and_follow_ups_resume_after(
    slack, outage_bot, outage_redis
):
    team = new_team()
    before_freeze = channel_id()
    old_ts = await estimate_in(slack, outage_bot, team, before_freeze)
    outage_redis.freeze()
    try:
        for n in range(3):
            channel = channel_id()
            started = time.monotonic()
            ts = await estimate_in(slack, outage_bot, team, channel, user=f"U{n}")
            # Each Redis call gives up after ~200 ms: the estimate and its tips are not held up.
            assert time.monotonic() - started < ACK_SECONDS
            # The save is tried again first (Redis may only be slow); then the note follows.
            *_, note = await replies(slack, in_thread(channel, ts), already=TIPS)
            assert _has_store_note(note)
        tried()
        status, body = await get(outage_bot, "/healthz")
        assert status == 503 and json.loads(body)["redis"] == "down"
    finally:
        outage_redis.thaw()
    # The thread from before the freeze is still remembered, and no connection is left confused.
    await _follow_up_answered(slack, outage_bot, team, before_freeze, old_ts)
    assert outage_bot.process.poll() is None
    assert_no_traceback(outage_bot)


# === 4. Slack outage


async def _command_to_flaky_bot(bot: BotProcess, slack: FakeSlack, channel: str, name: str) -> None:
    tried()
    body = command(
        slack,
        STANDARD,
        team_id=new_team(),
        channel_id=channel,
        response_url=slack.response_url(name),
    )
    status, _, seconds = await send(bot, body)
    assert status == 200 and seconds < ACK_SECONDS


def _estimate_attempts(slack: FakeSlack, channel: str) -> list[Call]:
    return [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.args.get("channel") == channel and "thread_ts" not in c.args
    ]


async def test_slack_429_is_retried_after_retry_after(slack_outage, flaky_bot):
    slack, _ = slack_outage
    channel, retry_after = channel_id(), 1
    slack.rate_limit_next("chat.postMessage", retry_after=retry_after)
    await _command_to_flaky_bot(flaky_bot, slack, channel, new_name())
    (root,) = await replies(slack, root_in(channel), timeout=10)
    await replies(slack, in_thread(channel, root.response["ts"]), count=TIPS)
    limited, posted = _estimate_attempts(slack, channel)
    assert limited.status == 429 and posted.ok
    assert slack.calls.at(posted) - slack.calls.at(limited) >= retry_after


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_slack_5xx_is_retried_with_backoff(slack_outage, flaky_bot, status):
    slack, _ = slack_outage
    channel = channel_id()
    slack.server_error_next("chat.postMessage", status=status)
    await _command_to_flaky_bot(flaky_bot, slack, channel, new_name())
    (root,) = await replies(slack, root_in(channel), timeout=10)
    await replies(slack, in_thread(channel, root.response["ts"]), count=TIPS)
    failed, posted = _estimate_attempts(slack, channel)
    assert failed.status == status and posted.ok
    assert slack.calls.at(posted) - slack.calls.at(failed) >= 0.5  # backoff, not a hot loop


async def test_a_dropped_connection_to_slack_is_retried_with_backoff(slack_outage, flaky_bot):
    slack, relay = slack_outage
    channel = channel_id()
    relay.drop_next(1)
    await _command_to_flaky_bot(flaky_bot, slack, channel, new_name())
    (root,) = await replies(slack, root_in(channel), timeout=10)
    await replies(slack, in_thread(channel, root.response["ts"]), count=TIPS)
    (dropped_at,) = relay.dropped_at
    assert len(_estimate_attempts(slack, channel)) == 1  # the dropped one never reached Slack
    assert slack.calls.at(root) - dropped_at >= 0.5


@pytest.mark.parametrize("outage", ["server_errors", "dropped_connections"])
async def test_when_slack_stays_down_the_user_is_told_and_the_failure_logged(
    slack_outage, flaky_bot, outage
):
    slack, relay = slack_outage
    channel, name = channel_id(), new_name()
    if outage == "server_errors":
        slack.server_error_next("chat.postMessage", times=10)
    else:
        relay.drop_next(10)
    logged = log_of(flaky_bot).count("Slack did not take")
    await _command_to_flaky_bot(flaky_bot, slack, channel, name)
    told = await private_reply(slack, name, timeout=10)
    assert "Slack didn't accept my answer" in text_of(told)
    assert told["response_type"] == "ephemeral"
    assert log_of(flaky_bot).count("Slack did not take") == logged + 1
    assert [c for c in _estimate_attempts(slack, channel) if c.ok] == []
    assert_no_traceback(flaky_bot)


async def test_a_cold_bot_during_a_slack_outage_acks_in_time_and_does_not_say_reinstall(
    slack_outage,
):
    slack, _ = slack_outage
    cold = BotProcess(slack.base_url, None)
    await cold.start()
    try:
        slack.server_error_next("auth.test", times=10)
        tried()
        status, body, seconds = await send(cold, command(slack, STANDARD, channel_id=channel_id()))
    finally:
        assert await cold.stop() == 0
    assert status == 200 and seconds < 2.0  # well inside Slack's 3 s, whatever the jitter
    assert "reinstall" not in body


async def test_a_bot_started_while_slack_fails_still_acks_in_time(slack_outage):
    """auth.test fails at start-up and after: the bot serves with its token alone, answering
    within Slack's 3 s instead of asking Slack inside every acknowledgement."""
    slack, _ = slack_outage
    slack.server_error_next("auth.test", times=1000)
    cold = BotProcess(slack.base_url, None)
    try:
        await cold.start()
        tried()
        status, body, seconds = await send(cold, command(slack, STANDARD, channel_id=channel_id()))
    finally:
        assert await cold.stop() == 0
        slack.clear_faults()
    assert status == 200 and seconds < 2.0
    assert "reinstall" not in body


# === 5. Abuse: rate limits

_SLOW_DOWN = re.compile(r"Try again in \d+ seconds?\.")


async def test_the_eleventh_estimate_a_minute_from_one_person_is_asked_to_wait(slack, bot):
    team, channel = new_team(), channel_id()
    names = [new_name() for _ in range(PER_USER + 1)]
    for name in names:
        tried()
        body = command(
            slack, STANDARD, team_id=team, channel_id=channel, response_url=slack.response_url(name)
        )
        status, _, seconds = await send(bot, body)
        assert status == 200 and seconds < ACK_SECONDS
    roots = await replies(slack, root_in(channel), count=PER_USER)
    told = await private_replies(slack, set(names), count=1)
    assert len(told) == 1 and len(roots) == PER_USER
    assert _SLOW_DOWN.search(text_of(told[0].body)), told[0].body
    assert told[0].body["response_type"] == "ephemeral"
    for root in roots:
        await replies(slack, in_thread(channel, root.response["ts"]), count=TIPS)


async def test_help_and_hints_do_not_count_against_the_ten_a_minute(slack, bot):
    """A queued command is charged as it is recorded; answers that cost nothing give it back."""
    team, channel = new_team(), channel_id()
    free = ["help", "blorp frobnicate"] * PER_USER  # help, and words it cannot read (a hint)
    names = [new_name() for _ in free]
    for text, name in zip(free, names, strict=True):
        tried()
        body = command(slack, text, team_id=team, channel_id=channel,
                       response_url=slack.response_url(name))  # fmt: skip
        status, _, seconds = await send(bot, body)
        assert status == 200 and seconds < ACK_SECONDS
    answered = await private_replies(slack, set(names), count=len(free))
    assert not any(_SLOW_DOWN.search(text_of(reply.body)) for reply in answered)
    for _ in range(PER_USER):  # then a full minute's worth of estimates, all answered
        tried()
        status, _, _ = await send(bot, command(slack, STANDARD, team_id=team, channel_id=channel))
        assert status == 200
    roots = await replies(slack, root_in(channel), count=PER_USER)
    assert len(roots) == PER_USER


async def test_a_workspace_over_its_minute_budget_is_asked_to_wait(slack, bot):
    team = new_team()
    # Eleven people, each within their own ten a minute: 110 estimates for a budget of 100.
    users = [f"U{n:03d}" for n in range(PER_WORKSPACE // PER_USER + 1)]
    requests = [(user, channel_id(), new_name()) for user in users for _ in range(PER_USER)]
    channels = {channel for _, channel, _ in requests}
    names = {name for _, _, name in requests}
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        acks = await asyncio.gather(
            *(
                send(
                    bot,
                    command(
                        slack,
                        STANDARD,
                        team_id=team,
                        channel_id=channel,
                        user_id=user,
                        response_url=slack.response_url(name),
                    ),
                    session=session,
                )
                for user, channel, name in requests
            )
        )
    tried(len(requests))
    assert all(status == 200 and seconds < ACK_SECONDS for status, _, seconds in acks)

    def estimates() -> list[Call]:
        return [
            c
            for c in slack.calls_to("chat.postMessage")
            if c.ok and c.args.get("channel") in channels and "thread_ts" not in c.args
        ]

    def waits() -> list[Any]:
        return [r for r in slack.responses if r.name in names]

    async def all_answered() -> bool:
        return len(estimates()) + len(waits()) >= len(requests)

    # Every request is owed one answer: its estimate, or a private "try again".
    FIGURES.replies_expected += len(requests)
    await until(all_answered, "every request answered or asked to wait", timeout=20)
    roots, told = estimates(), waits()
    FIGURES.replies_received += len(roots) + len(told)
    refilled = int((time.monotonic() - started) * PER_WORKSPACE / WINDOW_SECONDS) + 1
    assert PER_WORKSPACE <= len(roots) <= PER_WORKSPACE + refilled
    assert len(roots) + len(told) == len(requests)
    assert told and all(_SLOW_DOWN.search(text_of(r.body)) for r in told)

    FIGURES.replies_expected += len(roots) * TIPS

    async def tips_posted() -> bool:
        posted = sum(len(posts(slack, c.args["channel"], c.response["ts"])) for c in roots)
        return posted >= len(roots) * TIPS

    await until(tips_posted, "every estimate's tips", timeout=20)
    FIGURES.replies_received += len(roots) * TIPS


# === 6. Hostile input

RANGE_USERS = "between 1 and 6,000,000,000"
# (text, a fragment the answer must contain, or None when any escaped answer will do)
HOSTILE_TEXTS: list[tuple[str, str | None]] = [
    ("", None),  # opens the form
    ("x" * 20_000, "didn't understand"),  # 20 KB
    ("\u202e10000 users startup\u202c", "10,000"),  # right-to-left override and pop
    ("\u200f10\u200b000\u200d users\ufeff startup", "10,000"),  # RTL mark, zero-width characters
    ("🚀 10k users 🚀", "10,000"),  # emoji are ignored, as Slack's :rocket: is
    ("١٠٠٠٠ users startup", "10,000"),  # Arabic-Indic digits
    ("१०,००० users startup", "10,000"),  # Devanagari digits
    ("1e309 users", "didn't understand"),
    ("NaN users", "didn't understand"),
    ("inf users", "didn't understand"),
    ("-1 users", RANGE_USERS),
    ("0x10 users", "didn't understand"),
    ("10^12 users", "didn't understand"),
    ("20000000000 users", RANGE_USERS),
    ("25 regions", "between 1 and 20"),
    ("cache 99%", "between 0% and 95%"),
    # Slack's markup is read as the person typed it (@channel, a link's label): named back plain.
    ("<!channel> 10k users", "“@channel”"),
    ("<!here>", "“@here”"),
    ("<@U123> what does it cost", "“@u123”"),
    ("<https://x|link> 10k users", "“link”"),
    ("*bold* _it_ ~strike~", "didn't understand"),
    ("&lt;", "“&lt;”"),
    ("&lt;!channel&gt; &amp;lt;@U123&amp;gt;", "“&lt;!channel&gt;”"),  # as Slack escapes
    ("10k users ``` <!here>", "“@here”"),
    ("\x00\x07 10k users", None),
    ("<!channel> " * 500, "didn't understand"),
]


def _answers(slack: FakeSlack, channel: str, name: str, trigger: str) -> list[Any]:
    return [
        *(c for c in slack.calls if c.args.get("channel") == channel),
        *(c for c in slack.calls_to("views.open") if c.args.get("trigger_id") == trigger),
        *slack.responses_to(name),
    ]


async def _ask(slack: FakeSlack, bot: BotProcess, team: str, text: str) -> str:
    """/aicost `text`: acknowledged and first answered within 3 s each, nothing sent unescaped.
    Returns everything the bot sent for it, as JSON."""
    tried()
    channel, name, trigger = channel_id(), new_name(), "trigger-" + new_name()
    body = command(
        slack,
        text,
        team_id=team,
        channel_id=channel,
        user_id="U" + new_name()[:8].upper(),
        response_url=slack.response_url(name),
        trigger_id=trigger,
    )
    status, _, seconds = await send(bot, body)
    assert status == 200 and seconds < ACK_SECONDS

    async def answered() -> bool:
        return bool(_answers(slack, channel, name, trigger))

    FIGURES.replies_expected += 1
    await until(answered, f"an answer to {text[:40]!r}", timeout=ACK_SECONDS)
    FIGURES.replies_received += 1
    sent = payloads_to(slack, {channel}, {name})
    for markup in RAW_MARKUP:
        assert markup not in sent, (text[:60], markup)
    assert "Traceback" not in sent
    return sent


@pytest.mark.parametrize(
    ("text", "fragment"), HOSTILE_TEXTS, ids=[f"text{n}" for n in range(len(HOSTILE_TEXTS))]
)
async def test_the_parser_reads_hostile_text_without_raising_and_replies_escaped(text, fragment):
    tried()
    parse(text)  # never raises
    try:
        first_scenario(text)
    except InputError as exc:
        assert str(exc)
    # As the bot reads it: Slack's markup decoded first (bot/slack/slack_text.py).
    rendered = json.dumps(_first_reply(plain(text)), ensure_ascii=False)
    for markup in RAW_MARKUP:
        assert markup not in rendered
    if fragment is not None:
        assert fragment in rendered


def _first_reply(text: str) -> list[dict[str, Any]]:
    """What /aicost `text` answers, rendered as the bot renders it."""
    return [{"text": m.text, "blocks": m.blocks} for m in _first_messages(text)]


def _first_messages(text: str) -> list[Message]:
    reply = advisor.request(text, ConversationState()).reply
    if reply.kind is ReplyKind.estimate and reply.estimate is not None:
        return [estimate_message(reply.estimate), *thread_tips(reply.estimate)]
    if reply.kind is ReplyKind.hint:
        return [hint_message(reply.text)]
    if reply.kind is ReplyKind.error:
        return [error_message(reply.text)]
    if reply.kind is ReplyKind.help:
        return [help_message()]
    return [info_message(reply.text or "")]


# The fixed corpus's short entries, and pieces of them, mixed with arbitrary text.
_FRAGMENTS = st.sampled_from(
    [text for text, _ in HOSTILE_TEXTS if len(text) < 40] + ["<", ">", "&", "\u202e", "🚀"]
)
HOSTILE = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=12)), max_size=8).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(text=HOSTILE)
async def test_any_mix_of_hostile_fragments_parses_and_renders_escaped(text):
    tried()
    # As the bot reads it: Slack's markup decoded first (bot/slack/slack_text.py).
    rendered = json.dumps(_first_reply(plain(text)), ensure_ascii=False)
    for markup in RAW_MARKUP:
        assert markup not in rendered


@pytest.mark.parametrize(
    ("text", "fragment"), HOSTILE_TEXTS, ids=[f"text{n}" for n in range(len(HOSTILE_TEXTS))]
)
async def test_hostile_slash_text_is_answered_in_time_escaped_with_the_range(
    slack, bot, text, fragment
):
    sent = await _ask(slack, bot, new_team(), text)
    if fragment is not None:
        assert fragment in sent


@settings(max_examples=30, deadline=None)
@given(text=HOSTILE)
async def test_any_hostile_slash_text_is_answered_within_3_s_and_escaped(slack, bot, text):
    await _ask(slack, bot, new_team(), text)


async def test_hostile_follow_ups_in_a_thread_are_answered_escaped(slack, bot):
    team, channel = new_team(), channel_id()
    ts = await estimate_in(slack, bot, team, channel)
    for text, _ in HOSTILE_TEXTS[1:]:
        before = len(posts(slack, channel, ts))
        tried()
        event = message_event(
            text, channel=channel, thread_ts=ts, team=team, user="U" + new_name()[:8]
        )
        status, _, seconds = await send(bot, event_callback_body(event, team_id=team))
        assert status == 200 and seconds < ACK_SECONDS
        await replies(slack, in_thread(channel, ts), already=before, timeout=ACK_SECONDS)
    sent = payloads_to(slack, {channel}, set())
    for markup in RAW_MARKUP:
        assert markup not in sent


FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"


def _payload(payload: Any) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def _event(event: Any) -> bytes:
    return json.dumps(
        {"type": "event_callback", "team_id": "T1", "event_id": "Ev1x", "event": event}
    ).encode()


def _good_form_with_strings_for_objects() -> bytes:
    view = form_view(None, FormMetadata(channel="C1").dump())
    submitted = {
        "id": "V1",
        "callback_id": Callback.form.value,
        "state": {"values": submitted_state(view)},
        "private_metadata": view["private_metadata"],
    }
    return _payload({"type": "view_submission", "team": "T1", "user": "U1", "view": submitted})


def _malformed(slack: FakeSlack) -> list[tuple[str, bytes, str | None]]:
    """(what, body, content type): shapes Slack never sends, each signed correctly."""
    return [
        ("empty body", b"", FORM),
        ("form gibberish", b"%%%&&==&=", FORM),
        ("payload that is not JSON", b"payload=%7Bnot+json", FORM),
        ("payload a JSON list", _payload([1, 2]), FORM),
        ("payload a JSON number", _payload(123), FORM),
        ("payload without a type", _payload({}), FORM),
        ("block_actions without actions", _payload({"type": "block_actions"}), FORM),
        (
            "block_actions with an empty action",
            _payload({"type": "block_actions", "actions": [{}]}),
            FORM,
        ),
        (
            "block_actions with actions not a list",
            _payload({"type": "block_actions", "actions": "x"}),
            FORM,
        ),
        (
            "block_actions with strings for objects",
            _payload(
                {
                    "type": "block_actions",
                    "actions": [{"action_id": Action.what_if_10x.value}],
                    "team": "T1",
                    "user": "U1",
                    "channel": "C1",
                    "container": "x",
                    "message": "x",
                }
            ),
            FORM,
        ),
        (
            "view_submission with a string view",
            _payload({"type": "view_submission", "view": "x"}),
            FORM,
        ),
        (
            "view_submission with junk state",
            _payload(
                {
                    "type": "view_submission",
                    "view": {
                        "callback_id": "aicost_form",
                        "state": {"values": "x"},
                        "private_metadata": "{",
                    },
                }
            ),
            FORM,
        ),
        ("good form with strings for objects", _good_form_with_strings_for_objects(), FORM),
        ("event_callback with a string event", _event("x"), JSON_TYPE),
        (
            "message event with a number for text",
            _event(
                {
                    "type": "message",
                    "text": 123,
                    "channel": "C1",
                    "thread_ts": "1.2",
                    "ts": "1.3",
                    "user": "U1",
                }
            ),
            JSON_TYPE,
        ),
        (
            "app_mention with objects for IDs",
            _event(
                {
                    "type": "app_mention",
                    "text": f"<@{BOT_USER_ID}> hi",
                    "channel": ["C1"],
                    "user": {"id": 1},
                    "ts": {"x": 1},
                }
            ),
            JSON_TYPE,
        ),
        ("JSON list", b"[1,2,3]", JSON_TYPE),
        ("JSON null", b"null", JSON_TYPE),
        ("invalid JSON", b"{bad json", JSON_TYPE),
        ("binary", bytes(range(256)) * 8, "application/octet-stream"),
        ("invalid UTF-8 in a form", b"\xff\xfe\x00command=/aicost", FORM),
        ("slash command sent as JSON", command(slack, "10k users"), JSON_TYPE),
        ("slash command sent as text/plain", command(slack, "10k users"), "text/plain"),
        (
            "slash command sent as multipart",
            command(slack, "10k users"),
            "multipart/form-data; boundary=x",
        ),
        ("slash command without a content type", command(slack, "10k users"), None),
        ("slash command without any IDs", b"command=%2Faicost&text=10k+users", FORM),
        (
            "slash command with IDs outside Slack's characters",
            urlencode(
                {
                    "command": "/aicost",
                    "text": "10k users",
                    "team_id": "T\x00\n",
                    "channel_id": "<bad>",
                    "user_id": "",
                    "response_url": "http://127.0.0.1:9/nowhere",
                }
            ).encode(),
            FORM,
        ),
        ("200 KB slash command", command(slack, "10k users " * 20_000), FORM),
        ("300 KB body", b"x" * 300_000, "text/plain"),
    ]


async def test_malformed_bodies_get_4xx_in_time_and_no_traceback(slack, bot):
    statuses = {}
    for what, body, content_type in _malformed(slack):
        tried()
        headers = sign(body, SIGNING_SECRET)
        if content_type is not None:
            headers["Content-Type"] = content_type
        status, text, seconds = await send(bot, body, headers=headers, signed=False)
        statuses[what] = status
        assert status < 500 and seconds < ACK_SECONDS, (what, status, text)
        assert "Traceback" not in text
    assert statuses["300 KB body"] == 413
    assert statuses["payload that is not JSON"] == 400
    tried()
    status, _ = await get(bot, "/healthz")
    assert status == 200
    assert_no_traceback(bot)


# === 7. Isolation and retention


async def _conversation_keys(redis: aioredis.Redis, team: str, channel: str) -> list[str]:
    return sorted(
        [k async for k in redis.scan_iter(match=f"{channel_keys(team, channel).prefix}*")]
    )


async def test_another_workspace_with_the_same_channel_and_thread_never_sees_this_scenario(
    slack, bot, redis
):
    ours, theirs, channel = new_team(), new_team(), channel_id()
    ts = await estimate_in(slack, bot, ours, channel, text="37000 users midsize")
    ours_keys = channel_keys(ours, channel)
    ours_stored = [ours_keys.latest, ours_keys.thread(ts)]
    ours_before = [await redis.get(key) for key in ours_stored]
    before = len(posts(slack, channel, ts))
    # Their reply in "the same" thread is not a thread of theirs: silence. Their @mention is
    # answered, but from nothing of ours.
    reply = message_event("add hipaa", channel=channel, thread_ts=ts, team=theirs)
    mention = app_mention_event("add hipaa", channel=channel, thread_ts=ts, team=theirs)
    for event in (reply, mention):
        tried()
        status, _, _ = await send(bot, event_callback_body(event, team_id=theirs))
        assert status == 200
    (*_, answer) = await replies(slack, in_thread(channel, ts), already=before)
    assert len(posts(slack, channel, ts)) == before + 1
    assert "37,000" not in json.dumps(answer.args, ensure_ascii=False)

    assert [await redis.get(key) for key in ours_stored] == ours_before
    keys = await keys_of(redis, ours)
    ours_prefix = workspace_prefix(ours)
    # Duplicate claims and rate-limit buckets carry the workspace too: in its slot, or beside
    # the job partition the claim was recorded with.
    claims = (f"{ours_prefix}claim:", f"{ours_prefix}bucket:", f"{STREAM}:claim:")
    conversation = [k for k in keys if k.startswith(ours_prefix) and not k.startswith(claims)]
    # Channel keys, plus the workspace's own list of recent estimates (for its Home tab).
    workspace = {workspace_keys(ours).recent}
    assert conversation and all(
        k.startswith(ours_keys.prefix) or k in workspace for k in conversation
    )
    assert all(k.startswith(claims) for k in set(keys) - set(conversation))
    theirs_keys = await keys_of(redis, theirs)
    assert not any(ours in k for k in theirs_keys)
    theirs_prefix = workspace_prefix(theirs)
    theirs_claims = (f"{theirs_prefix}claim:", f"{theirs_prefix}bucket:")
    assert all(
        k.startswith(channel_keys(theirs, channel).prefix)
        for k in theirs_keys
        if k.startswith(theirs_prefix) and not k.startswith(theirs_claims)
    )


async def test_forget_deletes_the_channels_conversation_and_says_so(slack, bot, redis):
    team, channel, other = new_team(), channel_id(), channel_id()
    ts = await estimate_in(slack, bot, team, channel)
    await estimate_in(slack, bot, team, other)
    assert await _conversation_keys(redis, team, channel)
    tried()
    name = new_name()
    body = command(
        slack, "forget", team_id=team, channel_id=channel, response_url=slack.response_url(name)
    )
    status, _, seconds = await send(bot, body)
    assert status == 200 and seconds < ACK_SECONDS
    told = await private_reply(slack, name)
    assert "Forgotten" in text_of(told) and told["response_type"] == "ephemeral"
    assert await _conversation_keys(redis, team, channel) == []
    assert await _conversation_keys(redis, team, other)  # only this channel
    # The forgotten thread is no longer answered from memory.
    before = len(posts(slack, channel, ts))
    tried()
    event = message_event("what if 50k users?", channel=channel, thread_ts=ts, team=team)
    await send(bot, event_callback_body(event, team_id=team))
    marker = new_name()
    await send(bot, command(slack, "help", team_id=team, response_url=slack.response_url(marker)))
    await private_reply(slack, marker)
    assert len(posts(slack, channel, ts)) == before


async def test_estimate_history_is_capped_per_channel(slack, bot, redis):
    team, channel = new_team(), channel_id()
    total = ESTIMATE_HISTORY + 2
    users = [f"U{n % 3}" for n in range(total)]  # three people, each within ten a minute
    tried(total)
    async with aiohttp.ClientSession() as session:
        acks = await asyncio.gather(
            *(
                send(
                    bot,
                    command(slack, STANDARD, team_id=team, channel_id=channel, user_id=user),
                    session=session,
                )
                for user in users
            )
        )
    assert all(status == 200 and seconds < ACK_SECONDS for status, _, seconds in acks)
    roots = await replies(slack, root_in(channel), count=total, timeout=10)
    for root in roots:  # tips follow the save: once they are in, every estimate is recorded
        await replies(slack, in_thread(channel, root.response["ts"]), count=TIPS)
    assert await redis.llen(channel_keys(team, channel).estimates) == ESTIMATE_HISTORY


# === 8. Secrets and privacy


async def test_tokens_and_the_signing_secret_never_reach_the_log_even_at_debug(slack, redis_url):
    token = "xoxb-reliability-" + new_name()
    secret = "reliability-secret-" + new_name()
    debug_bot = BotProcess(
        slack.base_url,
        alone(redis_url, 5),
        extra_env={"LOG_LEVEL": "DEBUG", "SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": secret},
    )
    await debug_bot.start()
    try:
        # The estimate worker only computes: it is started without the token or the secret.
        workers = debug_bot.workers()
        assert len(workers) == WORKERS
        for pid in workers:
            environment = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
            assert token not in environment and secret not in environment
            assert "SLACK_" not in environment and "REDIS_URL" not in environment
        team, channel = new_team(), channel_id()
        ts = await estimate_in(slack, debug_bot, team, channel, secret=secret)
        before = len(posts(slack, channel, ts))
        tried(5)
        event = message_event("what if 50k users?", channel=channel, thread_ts=ts, team=team)
        await send(debug_bot, event_callback_body(event, team_id=team), secret=secret)
        await replies(slack, in_thread(channel, ts), already=before)
        click = button(slack, Action.apply_caching, channel_id=channel, message_ts=ts, team_id=team)
        await send(debug_bot, click, secret=secret)
        await replies(slack, in_thread(channel, ts), already=before + 1)
        private, name = channel_id(), new_name()
        slack.not_in_channel(private)
        body = command(
            slack, STANDARD, team_id=team, channel_id=private, response_url=slack.response_url(name)
        )
        await send(debug_bot, body, secret=secret)
        assert "/invite" in text_of(await private_reply(slack, name))
        slack.clear_channel(private)
        status, _, _ = await send(debug_bot, body)  # signed with another secret
        assert status == 401
        await get(debug_bot, "/healthz")
    finally:
        assert await debug_bot.stop() == 0
    log = log_of(debug_bot)
    assert " DEBUG " in log  # it really logged at DEBUG
    assert "Sending a request" in log  # the Slack libraries' own lines follow LOG_LEVEL too
    assert token not in log and token.removeprefix("xoxb-") not in log
    assert secret not in log


async def test_message_text_is_not_logged_at_info(slack, bot):
    phrase = "quokka" + new_name()[:10]
    team, channel, name = new_team(), channel_id(), new_name()
    tried(3)
    body = command(
        slack,
        f"10000 users {phrase}",
        team_id=team,
        channel_id=channel,
        response_url=slack.response_url(name),
    )
    await send(bot, body)
    assert phrase in text_of(await private_reply(slack, name))  # named back to the user only
    ts = await estimate_in(slack, bot, team, channel)
    before = len(posts(slack, channel, ts))
    for event in (
        message_event(f"what if {phrase}?", channel=channel, thread_ts=ts, team=team),
        app_mention_event(
            f"{phrase} 3 regions", channel=channel, thread_ts=ts, team=team, user="U2"
        ),
    ):
        await send(bot, event_callback_body(event, team_id=team))
        await replies(slack, in_thread(channel, ts), already=before)
        before += 1
    log = log_of(bot)
    assert phrase not in log
    assert SIGNING_SECRET not in log and TEST_BOT_TOKEN not in log


# === 9. Shutdown


async def test_sigterm_finishes_every_acknowledged_reply_refuses_new_ones_and_exits_0(
    slack, redis_url
):
    draining = BotProcess(slack.base_url, alone(redis_url, 2))
    await draining.start()
    team, late = new_team(), channel_id()
    channels = [channel_id() for _ in range(30)]
    try:
        acks = await burst(slack, draining, team, channels)
        assert draining.process is not None
        family = draining.family()
        assert len(draining.workers()) == WORKERS  # the estimate worker stops with the bot too
        draining.process.send_signal(signal.SIGTERM)  # right after the acknowledgements
        tried(len(channels))
        assert all(status == 200 and seconds < ACK_SECONDS for status, _, seconds in acks)

        async def shutting_down() -> bool:
            return "shutting down" in log_of(draining)

        await until(shutting_down, "the bot to start shutting down")
        in_flight = int(re.search(r"finishing (\d+) acknowledged", log_of(draining)).group(1))
        assert in_flight > 0  # SIGTERM arrived while replies were still being sent
        tried()
        try:
            status, _, _ = await send(
                draining, command(slack, STANDARD, team_id=team, channel_id=late)
            )
            assert status == 503
        except aiohttp.ClientConnectionError:
            pass  # already closed: refused outright, which is as good
    finally:
        exit_code = await draining.stop()
    assert exit_code == 0, draining.logs()
    for channel in channels:
        (root,) = await replies(slack, root_in(channel), timeout=1)
        await replies(slack, in_thread(channel, root.response["ts"]), count=TIPS, timeout=1)
    assert posts(slack, late) == []
    log = log_of(draining)
    assert "stopped" in log and "still running" not in log and "Unclosed" not in log
    assert_no_traceback(draining)
    assert not [pid for pid in family if Path(f"/proc/{pid}").exists()]  # nothing left behind


# === 10. Memory


async def test_the_memory_store_the_bot_uses_without_redis_stays_bounded():
    store = make_store(None, ttl_seconds=3600)
    state = advisor.request(STANDARD, ConversationState()).state
    tried()
    sizes = []
    for batch in range(13):
        for n in range(1000):
            await store.save_latest("T1", f"C{batch:02d}{n:04d}", state)
        sizes.append(len(store))
    assert sizes[-1] == sizes[-2] == sizes[-3] < 13_000  # a plateau: least recently used dropped
    assert await store.load_latest("T1", "C000000") is None
    assert await store.load_latest("T1", "C120999") == state


# === 11. Estimate workers


async def test_a_worker_killed_mid_burst_still_leaves_every_command_answered(slack, redis_url):
    """The estimate worker dies (OOM killer, a crash) with commands in flight: the bot words
    those answers itself, starts a new worker, and every acknowledged command gets its estimate
    and tips."""
    crashing = BotProcess(slack.base_url, alone(redis_url, 3), extra_env={"ESTIMATE_WORKERS": "1"})
    await crashing.start()
    team = new_team()
    channels = [channel_id() for _ in range(30)]
    try:

        async def worker_ready() -> bool:
            return json.loads((await get(crashing, "/healthz"))[1])["estimate_workers"] == 1

        await until(worker_ready, "the estimate worker to warm up", timeout=20)
        (worker,) = crashing.workers()
        acks = await burst(slack, crashing, team, channels)
        os.kill(worker, signal.SIGKILL)
        tried(len(channels))
        assert all(status == 200 and seconds < ACK_SECONDS for status, _, seconds in acks)
        for channel in channels:
            (root,) = await replies(slack, root_in(channel))
            await replies(slack, in_thread(channel, root.response["ts"]), count=TIPS)

        async def replaced() -> bool:
            return len(crashing.workers()) == 1 and worker not in crashing.workers()

        await until(replaced, "a new estimate worker")
        await estimate_in(slack, crashing, team, channel_id())  # and the new one serves
    finally:
        assert await crashing.stop() == 0
    assert "exited before answering" in log_of(crashing)  # some answers really were in it
    assert_no_traceback(crashing)


async def test_without_workers_the_bot_words_estimates_itself(slack, redis_url):
    single = BotProcess(slack.base_url, alone(redis_url, 4), extra_env={"ESTIMATE_WORKERS": "0"})
    await single.start()
    try:
        assert single.workers() == [] and single.family() == [single.process.pid]
        ts = await estimate_in(slack, single, new_team(), channel_id())
        assert ts
    finally:
        assert await single.stop() == 0
    assert_no_traceback(single)
