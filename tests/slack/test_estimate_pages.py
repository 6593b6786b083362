"""Shareable estimate pages in process: what is kept and where, expiry, revocation and who may
revoke, the page over real HTTP, and the Work Object unfurl of a pasted link (the fake Slack)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from slack_bolt.async_app import AsyncBoltContext

from bot.slack import answers
from bot.slack.client_address import TrustedProxies
from bot.slack.config import PAGE_REQUESTS
from bot.slack.conversation import Conversations
from bot.slack.estimate_pages import EstimatePages, PageState
from bot.slack.home_data import HomeTab
from bot.slack.ids import PAGE_LINK_BLOCK, REVOKE_LINK_ACTION
from bot.slack.listeners import links
from bot.slack.messages.page_link import (
    ALREADY_GONE,
    EXPIRED,
    NOT_ALLOWED,
    link_block,
    with_page_link,
)
from bot.slack.metrics import Metrics
from bot.slack.page_routes import GONE, REVOKED, add_page_routes
from bot.slack.page_view import CHARTS_OFF_LINE
from bot.slack.ratelimit import PageLimiter
from bot.slack.store.memory_backend import MemoryStore
from bot.slack.store.protocols import Store
from bot.slack.workers import Workers
from estimator import PriceOverrides
from tests.slack.test_state import FakeClock, _state, raw, store, team  # noqa: F401  (fixtures)
from tests.support.fake_slack import FakeSlack

PUBLIC = "https://aicost.example.com"
OTHER_TEAM = "TOTHER0001"
CHANNEL, OTHER_CHANNEL = "C0PAGES01", "C0PAGES02"
ASKER, COLLEAGUE, ADMIN = "UASKER001", "UCOLLEAG1", "UADMIN001"


def scenario():
    return _state().scenario


def pages_for(store: Store, clock: FakeClock | None = None, days: int = 30) -> EstimatePages:  # noqa: F811
    if clock is None:
        return EstimatePages(store, PUBLIC, days)
    return EstimatePages(store, PUBLIC, days, clock=clock)


# -- what is kept, and where ----------------------------------------------------------------


async def test_a_page_keeps_the_scenario_and_prices_under_its_workspace_not_the_words(
    store: Store,  # noqa: F811
    team: str,  # noqa: F811
) -> None:
    pages = pages_for(store)
    prices = PriceOverrides.model_validate({"cloud_multiplier": 1.2})
    link = await pages.create(team, CHANNEL, ASKER, scenario(), prices)
    assert link is not None and link.url == f"{PUBLIC}/e/{link.page_id}"
    assert len(link.page_id) == 22  # 128 random bits
    page = await pages.find(link.page_id)
    assert page is not None and page.team == team and page.user == ASKER
    assert page.scenario == scenario() and page.overrides == prices
    assert page.state is PageState.active
    record = json.dumps(await store.load_page(link.page_id))
    assert "10000 users startup" not in record  # what was typed is never kept


async def test_redis_keys_name_the_workspace_and_expire_with_the_link(
    redis_url: str,
    raw: aioredis.Redis,  # noqa: F811
    team: str,  # noqa: F811
) -> None:
    from bot.slack.store.redis_backend import RedisStore

    redis_store = RedisStore(redis_url, ttl_seconds=60)
    try:
        link = await pages_for(redis_store, days=3).create(team, CHANNEL, ASKER, scenario(), None)
        assert link is not None
        record_key = f"aicost:{{{team}}}:page:{link.page_id}"
        assert await raw.exists(record_key, f"aicost:page:{link.page_id}") == 2
        assert 3 * 86400 - 5 < await raw.ttl(record_key) <= 3 * 86400
        assert await raw.ttl(f"aicost:{{{team}}}:pages") > 0
        await raw.delete(record_key)  # as Redis expires it: the link is gone
        assert await pages_for(redis_store).find(link.page_id) is None
    finally:
        await redis_store.close()


async def test_an_expired_link_is_gone() -> None:
    clock = FakeClock()
    memory = MemoryStore(ttl_seconds=3600, clock=clock)
    pages = pages_for(memory, clock, days=1)
    link = await pages.create("TPAGES0001", CHANNEL, ASKER, scenario(), None)
    assert link is not None and await pages.find(link.page_id) is not None
    clock.advance(86_400 + 1)
    assert await pages.find(link.page_id) is None
    assert await memory.load_page(link.page_id) is None  # the store let it go too


async def test_forgetting_a_channel_deletes_its_pages_and_only_them(
    store: Store,  # noqa: F811
    team: str,  # noqa: F811
) -> None:
    pages = pages_for(store)
    here = await pages.create(team, CHANNEL, ASKER, scenario(), None)
    there = await pages.create(team, OTHER_CHANNEL, ASKER, scenario(), None)
    assert here and there
    assert await store.forget(team, CHANNEL) >= 2  # the page and its pointer at least
    assert await pages.find(here.page_id) is None
    assert await pages.find(there.page_id) is not None


async def test_an_uninstall_deletes_every_page_of_the_workspace(
    store: Store,  # noqa: F811
    team: str,  # noqa: F811
) -> None:
    pages = pages_for(store)
    ours = [await pages.create(team, c, ASKER, scenario(), None) for c in (CHANNEL, OTHER_CHANNEL)]
    theirs = await pages.create(f"{team}X", CHANNEL, ASKER, scenario(), None)
    await store.forget_workspace(team)
    for link in ours:
        assert link is not None and await pages.find(link.page_id) is None
        assert await store.load_page(link.page_id) is None
    assert theirs is not None and await pages.find(theirs.page_id) is not None
    await store.forget_workspace(f"{team}X")


async def test_ids_that_are_not_ours_never_reach_the_store() -> None:
    pages = pages_for(MemoryStore(ttl_seconds=60))
    for guess in ("", "abc", "../../etc/passwd", "a" * 23, "a*" * 11, "T1:page:" + "a" * 14):
        assert await pages.find(guess) is None
    assert pages.page_id_in(f"{PUBLIC}/e/{'a' * 22}") == "a" * 22
    assert pages.page_id_in(f"https://evil.example.com/e/{'a' * 22}") is None
    assert pages.page_id_in(f"{PUBLIC}/e/short") is None
    assert EstimatePages(MemoryStore(ttl_seconds=60), None).enabled is False


# -- revoking ---------------------------------------------------------------------------------


async def test_another_workspace_cannot_revoke_a_page(
    store: Store,  # noqa: F811
    team: str,  # noqa: F811
) -> None:
    pages = pages_for(store)
    link = await pages.create(team, CHANNEL, ASKER, scenario(), None)
    assert link is not None
    assert await pages.revoke(OTHER_TEAM, link.page_id) is False
    page = await pages.find(link.page_id)
    assert page is not None and page.state is PageState.active
    assert await pages.revoke(team, link.page_id) is True
    page = await pages.find(link.page_id)
    assert page is not None and page.state is PageState.revoked  # kept, to say so


@pytest_asyncio.fixture(loop_scope="module")
async def bot_parts(slack: FakeSlack) -> AsyncIterator[tuple[Conversations, HomeTab]]:
    memory = MemoryStore(ttl_seconds=3600)
    metrics = Metrics()
    conversations = Conversations(
        memory, metrics, Workers(count=0), pages=EstimatePages(memory, PUBLIC, 30)
    )
    yield conversations, HomeTab(memory, metrics)
    await conversations.drain(5)


def _click(slack: FakeSlack, user: str, page_id: str, name: str) -> dict[str, Any]:
    message = with_page_link(
        answers.request("10000 users startup").messages[0],
        _link(page_id),
    )
    return {
        "user": {"id": user},
        "container": {"channel_id": CHANNEL, "message_ts": "1700000000.000200"},
        "response_url": slack.response_url(name),
        "message": {"ts": "1700000000.000200", "text": message.text, "blocks": message.blocks},
    }


def _link(page_id: str):
    from bot.slack.estimate_pages import PageLink

    return PageLink(page_id, f"{PUBLIC}/e/{page_id}", 1_900_000_000)


async def _revoke(slack, bot_parts, user: str, page_id: str, name: str) -> None:
    conversations, home_tab = bot_parts
    body = _click(slack, user, page_id, name)

    async def ack() -> None:
        return None

    await links.revoke_link(
        ack=ack,
        body=body,
        action={"action_id": REVOKE_LINK_ACTION, "value": page_id},
        client=slack.client(),
        context=AsyncBoltContext({"team_id": "TPAGES0001"}),
        conversations=conversations,
        home_tab=home_tab,
    )
    await conversations.drain(5)
    conversations.accepting = True


@pytest.mark.asyncio(loop_scope="module")
async def test_only_the_asker_or_an_admin_may_revoke_and_the_estimate_then_says_so(
    slack: FakeSlack, bot_parts
) -> None:
    conversations, _ = bot_parts
    pages = conversations.pages
    link = await pages.create("TPAGES0001", CHANNEL, ASKER, scenario(), None)
    assert link is not None

    await _revoke(slack, bot_parts, COLLEAGUE, link.page_id, "colleague")
    (said,) = slack.responses_to("colleague")
    assert NOT_ALLOWED in json.dumps(said.body)
    page = await pages.find(link.page_id)
    assert page is not None and page.state is PageState.active
    assert slack.calls_to("chat.update") == []

    slack.make_admin(ADMIN)
    await _revoke(slack, bot_parts, ADMIN, link.page_id, "admin")
    page = await pages.find(link.page_id)
    assert page is not None and page.state is PageState.revoked
    (update,) = slack.calls_to("chat.update")
    blocks = update.args["blocks"]
    (said,) = [b for b in blocks if b.get("block_id") == PAGE_LINK_BLOCK]
    assert f"revoked by <@{ADMIN}>" in json.dumps(said)
    assert link.url not in json.dumps(blocks)

    other = await pages.create("TPAGES0001", CHANNEL, ASKER, scenario(), None)
    assert other is not None
    await _revoke(slack, bot_parts, ASKER, other.page_id, "asker")
    page = await pages.find(other.page_id)
    assert page is not None and page.state is PageState.revoked

    # A link already expired: whoever clicks is not named as having revoked it.
    await _revoke(slack, bot_parts, COLLEAGUE, "y" * 22, "expired")
    (said,) = slack.responses_to("expired")
    assert ALREADY_GONE in json.dumps(said.body)
    update = slack.calls_to("chat.update")[-1]
    (line,) = [b for b in update.args["blocks"] if b.get("block_id") == PAGE_LINK_BLOCK]
    assert EXPIRED in json.dumps(line) and COLLEAGUE not in json.dumps(line)
    assert slack.violations == []


def test_the_link_sits_above_the_feedback_and_buttons_with_a_confirmed_revoke() -> None:
    estimate = answers.request("10000 users startup").messages[0]
    shown = with_page_link(estimate, _link("b" * 22))
    kinds = [b["type"] for b in shown.blocks]
    at = [b.get("block_id") for b in shown.blocks].index(PAGE_LINK_BLOCK)
    assert kinds[at + 1 :] == ["context_actions", "actions"]
    block = link_block(_link("b" * 22))
    assert block["accessory"]["action_id"] == REVOKE_LINK_ACTION
    assert block["accessory"]["confirm"]["confirm"]["text"] == "Revoke"
    assert f"<{PUBLIC}/e/{'b' * 22}|" in block["text"]["text"]


# -- the page over HTTP -----------------------------------------------------------------------


def limiter_for(store: Store, per_minute: int = PAGE_REQUESTS) -> PageLimiter:  # noqa: F811
    return PageLimiter(store, MemoryStore(ttl_seconds=3600), per_minute)


@pytest_asyncio.fixture
async def served() -> AsyncIterator[tuple[EstimatePages, str]]:
    memory = MemoryStore(ttl_seconds=3600)
    pages = EstimatePages(memory, PUBLIC, 30)
    app = web.Application()
    add_page_routes(app, pages, Workers(count=0), None, limiter_for(memory), TrustedProxies())
    server = TestServer(app)
    await server.start_server()
    yield pages, str(server.make_url("")).rstrip("/")
    await server.close()


async def _get(url: str) -> tuple[int, str, dict[str, str]]:
    async with ClientSession() as session, session.get(url) as response:
        return response.status, await response.text(), dict(response.headers)


async def test_the_page_shows_the_estimate_and_sends_privacy_headers(served) -> None:
    pages, base = served
    link = await pages.create("TPAGES0001", CHANNEL, ASKER, scenario(), None)
    assert link is not None
    status, html, headers = await _get(f"{base}/e/{link.page_id}")
    assert status == 200
    assert headers["X-Robots-Tag"].startswith("noindex")
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "<script" not in html.lower()
    assert "10,000 users" in html and "$297k–517k" in html  # as the Slack message says it
    assert CHARTS_OFF_LINE in html  # charts off: one line, not a broken image
    csv_status, csv_text, csv_headers = await _get(f"{base}/e/{link.page_id}/estimate.csv")
    json_status, json_text, _ = await _get(f"{base}/e/{link.page_id}/estimate.json")
    assert (csv_status, json_status) == (200, 200)
    assert "attachment" in csv_headers["Content-Disposition"]
    assert (csv_text, json_text) == answers.export(scenario(), None)
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert any(r["item"] == "first_year" for r in rows)
    assert json.loads(json_text)["totals"]


async def test_unknown_expired_and_revoked_links_say_so_and_nothing_more(served) -> None:
    pages, base = served
    for path in (f"/e/{'z' * 22}", "/e/nope", f"/e/{'z' * 22}/estimate.csv"):
        status, html, headers = await _get(base + path)
        assert status == 404 and GONE in html.replace("&#x27;", "'"), path
        assert headers["X-Robots-Tag"].startswith("noindex")
    link = await pages.create("TPAGES0001", CHANNEL, ASKER, scenario(), None)
    assert link is not None
    await pages.revoke("TPAGES0001", link.page_id)
    for suffix in ("", "/estimate.json"):
        status, html, _ = await _get(f"{base}/e/{link.page_id}{suffix}")
        assert status == 410 and REVOKED in html and "$" not in html


async def test_without_public_url_no_route_and_no_link_is_offered() -> None:
    app = web.Application()
    memory = MemoryStore(ttl_seconds=60)
    add_page_routes(
        app,
        EstimatePages(memory, None),
        Workers(count=0),
        None,
        limiter_for(memory),
        TrustedProxies(),
    )
    assert not [r for r in app.router.routes() if "/e/" in str(r.resource)]
    conversations = Conversations(memory, Metrics(), Workers(count=0))
    assert conversations.pages.enabled is False


# -- unfurls ----------------------------------------------------------------------------------


@pytest.mark.asyncio(loop_scope="module")
async def test_a_pasted_link_unfurls_as_a_work_object_only_in_its_workspace(
    slack: FakeSlack, bot_parts
) -> None:
    conversations, _ = bot_parts
    link = await conversations.pages.create("TPAGES0001", CHANNEL, ASKER, scenario(), None)
    assert link is not None
    seen = len(slack.calls_to("chat.unfurl"))
    for team_id, event_id in (("TPAGES0001", "Ev1"), (OTHER_TEAM, "Ev2")):
        event = {
            "type": "link_shared",
            "channel": CHANNEL,
            "message_ts": "1700000000.000300",
            "unfurl_id": "U_ABC",
            "source": "conversations_history",
            "links": [{"url": link.url, "domain": "aicost.example.com"}],
        }
        await links.link_shared(
            body={"event_id": event_id, "event": event},
            event=event,
            client=slack.client(),
            context=AsyncBoltContext({"team_id": team_id}),
            conversations=conversations,
        )
        await conversations.drain(5)
        conversations.accepting = True
    (call,) = slack.calls_to("chat.unfurl")[seen:]  # the other workspace got none
    (entity,) = call.args["metadata"]["entities"]
    assert entity["app_unfurl_url"] == link.url
    assert entity["external_ref"]["id"] == link.page_id
    fields = {f["key"]: f["value"] for f in entity["entity_payload"]["custom_fields"]}
    assert fields == {
        "first_year": "$297k–517k",
        "monthly_run_rate": "$2.3k–5k/month",
        "users": "10,000",
        "model": scenario().model,
    }

    async def details(page_id: str, trigger: str) -> dict[str, Any]:
        event = {"type": "entity_details_requested", "trigger_id": trigger, "user": ASKER}
        event["external_ref"] = {"id": page_id, "type": "estimate"}
        await links.details_requested(
            body={"event": event},
            event=event,
            client=slack.client(),
            context=AsyncBoltContext({"team_id": "TPAGES0001"}),
            conversations=conversations,
        )
        await conversations.drain(5)
        conversations.accepting = True
        (call,) = [
            c for c in slack.calls_to("entity.presentDetails") if c.args["trigger_id"] == trigger
        ]
        return call.args

    shown = await details(link.page_id, "trigger-1")
    keys = [f["key"] for f in shown["metadata"]["entity_payload"]["custom_fields"]]
    assert {"first_year", "monthly_run_rate", "one_time", "phases"} <= set(keys)
    with pytest.MonkeyPatch.context() as patch:  # today's prices cannot estimate it
        patch.setattr(answers, "estimate", lambda *_: 1 / 0)
        failed = await details(link.page_id, "trigger-broken")
    assert failed["error"]["status"] == "custom" and "metadata" not in failed  # not left loading
    await conversations.pages.revoke("TPAGES0001", link.page_id)
    refused = await details(link.page_id, "trigger-2")
    assert refused["error"]["status"] == "custom" and "metadata" not in refused
    assert slack.violations == []


def test_public_url_is_checked_at_start_and_pages_are_off_without_it(monkeypatch, caplog) -> None:
    from bot.slack.app import build_bot
    from bot.slack.config import ConfigError, load_config

    for name in list(__import__("os").environ):
        if name.startswith(("SLACK_", "REDIS_", "PUBLIC_URL", "ESTIMATE_LINK")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("PUBLIC_URL", "aicost.example.com")
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_config()
    monkeypatch.setenv("PUBLIC_URL", "https://aicost.example.com/")
    assert load_config().public_url == "https://aicost.example.com"
    assert load_config().estimate_link_days == 30
    monkeypatch.delenv("PUBLIC_URL")
    with caplog.at_level("INFO", logger="bot.slack.app"):
        bot = build_bot(load_config(), store=MemoryStore(ttl_seconds=60))
    assert bot.conversations.pages.enabled is False
    assert any("PUBLIC_URL is not set" in r.getMessage() for r in caplog.records)


def test_the_page_reads_as_the_slack_estimate_and_its_thread() -> None:
    from bot.parsing import first_scenario
    from bot.slack.page_view import PageParts

    parts = PageParts(None, "/c.csv", "/j.json", 1_700_000_000, 1_702_592_000)
    html = answers.page(first_scenario("10k users startup"), None, parts)
    # Lines in full figures, as the arithmetic beside them: never "$0" or "$18k" for $17,500.
    assert "$10,000–17,500/year" in html and "$10k–18k" not in html
    assert "$0.09–0.44/month" in html and "$0/month" not in html and "$0–1/month" not in html
    # In the categories' order: every Infrastructure line before the first Storage line.
    categories = [c.split("<")[0] for c in html.split("<td class='category'>")[1:]]
    assert categories.index("Storage") > max(
        n for n, c in enumerate(categories) if c == "Infrastructure"
    )
    # What moves the first year, as in Slack; the bundled token prices are not called the
    # workspace's own; the all-in hint says what the Slack message says.
    assert "What moves the first year most" in html and "a swing of +$130k" in html
    assert "own prices" not in html and "team &amp; legal spread over 12" in html
    assert "Hosting: <b>API</b>" in html


async def test_a_page_that_cannot_be_drawn_says_try_again_not_a_bare_500(
    served, monkeypatch, caplog
) -> None:
    pages, base = served
    link = await pages.create("TPAGES0001", CHANNEL, ASKER, scenario(), None)
    assert link is not None

    def broken(*_: Any) -> Any:
        raise RuntimeError("a price the kept scenario needs is gone")

    # Where the estimate is made for a page, its download and its flexpane.
    monkeypatch.setattr(answers, "estimate", broken)
    for path in ("", "/estimate.csv"):
        status, html, headers = await _get(f"{base}/e/{link.page_id}{path}")
        assert status == 503 and "try again in a minute" in html
        assert "Traceback" not in html and headers["Retry-After"]
    assert "could not be" in caplog.text and "a price the kept scenario needs" in caplog.text
