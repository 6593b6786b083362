"""Shareable estimate pages end to end: a real bot (`python -m bot` with PUBLIC_URL, charts on),
a real Redis, the fake Slack, and a real headless Chromium (the OS's, driven by chromedriver).

An estimate posted in Slack carries a link; the page it opens shows the figures the message
shows, its chart loads, its CSV and JSON downloads parse and match the export, it reads on a
phone; revoked and expired links say so; pasted into Slack, the link unfurls as a Work Object.
Screenshots are written to $TMPDIR/aicost-pages/ for a person to look at.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from PIL import Image

from bot.parsing import first_scenario
from bot.slack import answers
from bot.slack.ids import PAGE_LINK_BLOCK, REVOKE_LINK_ACTION, Action
from tests.support.bot_process import BotProcess, free_port
from tests.support.browser import Browser, browser_missing
from tests.support.fake_slack import FakeSlack
from tests.support.reading import channel_id, estimate_with_tips, text_of
from tests.support.signing import block_actions_body, event_callback_body, slash_command_body

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing())),
]

SHOTS = Path(os.environ.get("TMPDIR", "/tmp")) / "aicost-pages"
ASKER, COLLEAGUE = "UASKER001", "UCOLLEAG1"
LINK = re.compile(r"<(http://127\.0\.0\.1:\d+/e/([A-Za-z0-9_-]{22}))\|")
CHART_SECONDS = 60  # the chart worker starts on demand, at nice 10, on a busy machine


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(slack: FakeSlack, redis_url: str) -> AsyncIterator[BotProcess]:
    port = free_port()
    env = {"PUBLIC_URL": f"http://127.0.0.1:{port}", "CHARTS": "on", "ESTIMATE_LINK_DAYS": "30"}
    process = await BotProcess(slack.base_url, redis_url, port=port, extra_env=env).start()
    yield process
    assert await process.stop() == 0, process.logs()


async def post_estimate(slack, bot, team, channel, text="10000 users startup"):
    """The estimate's message as posted, and its link and page ID."""
    body = slash_command_body(text, team_id=team, channel_id=channel, user_id=ASKER)
    status, answer, _ = await bot.post(body)
    assert status == 200, answer
    ts = await estimate_with_tips(slack, channel, text)
    (main,) = [
        c
        for c in slack.calls_to("chat.postMessage")
        if c.ok and c.response["ts"] == ts and c.args.get("channel") == channel
    ]
    (block,) = [b for b in main.args["blocks"] if b.get("block_id") == PAGE_LINK_BLOCK]
    url, page_id = LINK.search(block["text"]["text"]).groups()
    return main, url, page_id


def figures_of(message_blocks: list[dict]) -> dict[str, str]:
    """The key figures as the Slack message shows them: {"First year": "$297k–517k", ...}."""
    fields = next(b["fields"] for b in message_blocks if b.get("fields"))
    found = {}
    for field in fields:
        name, value, *_ = field["text"].split("\n")
        found[name.strip("*")] = value
    return found


async def fetch(url: str) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.read(), dict(response.headers)


async def test_the_link_opens_the_estimate_with_its_chart_and_downloads_on_a_phone(
    slack, bot, team
):
    channel = channel_id()
    main, url, page_id = await post_estimate(slack, bot, team, channel)
    shown = figures_of(main.args["blocks"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with Browser(width=390, height=844) as phone:
        await phone.open(url)  # returns after the load event: the chart image included
        text = await phone.text()
        assert "AI in production: 10,000 users · startup" in text
        for name in ("First year", "Monthly run-rate", "One-time"):
            assert shown[name].split("/")[0] in text, name
        assert "Every line and its arithmetic" in text and " x $" in text  # a line's basis
        natural = await phone.script(
            "const i = document.querySelector('img.chart'); return [i.complete, i.naturalWidth]"
        )
        assert natural == [True, 900], "the chart did not load in the browser"
        # Nothing wider than the phone: no sideways scrolling.
        overflow = await phone.script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0
        (SHOTS / "phone-top.png").write_bytes(await phone.screenshot())
        full = await phone.full_page_png()
        (SHOTS / "phone-full.png").write_bytes(full)
        assert Image.open(io.BytesIO(full)).size[0] == 390
        links = await phone.script(
            "return [...document.querySelectorAll('.downloads a')].map(a => a.href)"
        )
    csv_url, json_url = links
    (csv_status, csv_bytes, csv_headers), (json_status, json_bytes, _) = (
        await fetch(csv_url),
        await fetch(json_url),
    )
    assert (csv_status, json_status) == (200, 200)
    assert csv_headers["Content-Disposition"].startswith("attachment")
    expected_csv, expected_json = answers.export(first_scenario("10000 users startup"), None)
    assert csv_bytes.decode() == expected_csv and json_bytes.decode() == expected_json
    rows = {r["item"]: r for r in csv.DictReader(io.StringIO(csv_bytes.decode()))}
    totals = json.loads(json_bytes)["totals"]
    assert float(rows["first_year"]["low"]) == pytest.approx(totals["first_year"]["low"])
    status, png, headers = await fetch(f"{bot.url}/e/{page_id}/chart.png")
    assert status == 200 and png.startswith(b"\x89PNG") and headers["X-Robots-Tag"]
    status, _, headers = await fetch(url)
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "script-src" not in headers["Content-Security-Policy"]  # default-src 'none'
    assert slack.violations == []


async def test_a_revoked_and_an_expired_link_say_so_in_the_browser(slack, bot, team, redis_url):
    channel = channel_id()
    main, url, page_id = await post_estimate(slack, bot, team, channel)
    # Someone else in the channel may not revoke it.
    body = block_actions_body(
        REVOKE_LINK_ACTION,
        page_id,
        channel_id=channel,
        message_ts=main.response["ts"],
        team_id=team,
        user_id=COLLEAGUE,
        response_url=slack.response_url(f"revoke-{page_id}-colleague"),
        block_id=PAGE_LINK_BLOCK,
        message_blocks=main.args["blocks"],
        message_text=main.args["text"],
    )
    assert (await bot.post(body))[0] == 200
    (refused,) = await slack.wait_for_response(f"revoke-{page_id}-colleague")
    assert "Only the person who asked" in text_of(refused.body)
    assert (await fetch(url))[0] == 200
    # The person who asked may.
    body = block_actions_body(
        REVOKE_LINK_ACTION,
        page_id,
        channel_id=channel,
        message_ts=main.response["ts"],
        team_id=team,
        user_id=ASKER,
        block_id=PAGE_LINK_BLOCK,
        message_blocks=main.args["blocks"],
        message_text=main.args["text"],
    )
    assert (await bot.post(body))[0] == 200
    (update,) = await slack.wait_for(
        lambda c: c.method == "chat.update" and c.args.get("channel") == channel
    )
    assert f"revoked by <@{ASKER}>" in text_of(update.args["blocks"])
    assert url not in json.dumps(update.args["blocks"])
    _, other_url, other_id = await post_estimate(slack, bot, team, channel_id(), "50000 users")
    # Expired: Redis lets the page's keys go, as it does when ESTIMATE_LINK_DAYS have passed.
    raw = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        assert await raw.ttl(f"aicost:{{{team}}}:page:{other_id}") > 29 * 86400
        for key in (f"aicost:{{{team}}}:page:{other_id}", f"aicost:page:{other_id}"):
            await raw.pexpire(key, 1)
    finally:
        await raw.aclose()
    async with Browser(width=390, height=844) as phone:
        await phone.open(url)
        revoked = await phone.text()
        (SHOTS / "revoked.png").write_bytes(await phone.screenshot())
        await phone.open(other_url)
        expired = await phone.text()
        (SHOTS / "expired.png").write_bytes(await phone.screenshot())
    assert "This link was revoked" in revoked and "$" not in revoked
    assert "expired or doesn't exist" in expired and "$" not in expired
    assert (await fetch(url))[0] == 410 and (await fetch(other_url))[0] == 404
    assert (await fetch(f"{bot.url}/e/{page_id}/chart.png"))[0] == 410


async def test_a_pasted_link_unfurls_as_a_work_object_and_forget_deletes_the_page(slack, bot, team):
    channel = channel_id()
    main, url, page_id = await post_estimate(slack, bot, team, channel)
    shown = figures_of(main.args["blocks"])
    event = {
        "type": "link_shared",
        "channel": channel,
        "user": ASKER,
        "message_ts": "1710000000.000900",
        "unfurl_id": f"U-{page_id}",
        "source": "conversations_history",
        "event_ts": "1710000000.000900",
        "links": [{"url": url, "domain": "127.0.0.1"}],
    }
    assert (await bot.post(event_callback_body(event, team_id=team)))[0] == 200
    (unfurl,) = await slack.wait_for(
        lambda c: c.method == "chat.unfurl" and c.args.get("unfurl_id") == f"U-{page_id}"
    )
    (entity,) = unfurl.args["metadata"]["entities"]
    fields = {f["key"]: f["value"] for f in entity["entity_payload"]["custom_fields"]}
    assert fields["first_year"] == shown["First year"]
    assert fields["monthly_run_rate"] == shown["Monthly run-rate"]
    assert fields["users"] == "10,000" and fields["model"]
    flex = {
        "type": "entity_details_requested",
        "user": ASKER,
        "external_ref": {"id": page_id, "type": "estimate"},
        "entity_url": url,
        "link": {"url": url, "domain": "127.0.0.1"},
        "app_unfurl_url": url,
        "trigger_id": f"trigger-{page_id}",
        "channel": channel,
        "message_ts": "1710000000.000900",
        "event_ts": "1710000000.000901",
    }
    assert (await bot.post(event_callback_body(flex, team_id=team)))[0] == 200
    (details,) = await slack.wait_for(
        lambda c: (
            c.method == "entity.presentDetails" and c.args.get("trigger_id") == f"trigger-{page_id}"
        )
    )
    assert "one_time" in json.dumps(details.args["metadata"])
    # /aicost forget in the channel deletes its pages too.
    body = slash_command_body(
        "forget",
        team_id=team,
        channel_id=channel,
        user_id=ASKER,
        response_url=slack.response_url(f"forget-{channel}"),
    )
    assert (await bot.post(body))[0] == 200
    (forgotten,) = await slack.wait_for_response(f"forget-{channel}")
    assert "Forgotten" in text_of(forgotten.body)
    assert (await fetch(url))[0] == 404
    assert slack.violations == []


async def test_a_changed_estimate_in_the_thread_gets_a_page_of_its_own(slack, bot, team):
    channel = channel_id()
    main, url, _ = await post_estimate(slack, bot, team, channel)
    ts = main.response["ts"]
    before = len([c for c in slack.calls_to("chat.postMessage") if c.args.get("thread_ts") == ts])
    body = block_actions_body(
        Action.what_if_10x.value, "x", channel_id=channel, message_ts=ts, team_id=team
    )
    assert (await bot.post(body))[0] == 200
    replies = await slack.wait_for(
        lambda c: c.method == "chat.postMessage" and c.args.get("thread_ts") == ts,
        count=before + 1,
    )
    (block,) = [b for b in replies[-1].args["blocks"] if b.get("block_id") == PAGE_LINK_BLOCK]
    changed_url, _ = LINK.search(block["text"]["text"]).groups()
    assert changed_url != url
    status, html, _ = await fetch(changed_url)
    assert status == 200 and "100,000 users" in html.decode()
    assert slack.violations == []
