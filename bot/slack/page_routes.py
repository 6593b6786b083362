"""The shared estimate pages on the bot's HTTP server: GET /e/<id>, its chart and downloads.

Each response is for whoever holds the link: it is never indexed, never sends a referrer, and
allows nothing but its own stylesheet and images. A link that is unknown, expired or forgotten
is a 404 with one kind sentence (the same for all: an ID tells nothing), a revoked one a 410.
A client asking too often (ESTIMATE_PAGE_REQUESTS_PER_MINUTE) gets 429 with Retry-After, charged
before any lookup, so trying IDs costs the same whether they exist or not; behind a proxy named in
TRUSTED_PROXIES the client is the address it forwarded for; an IPv6 client is its /64
(bot/slack/client_address.py).
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.slack import answers, chart_worker, limits
from bot.slack.client_address import FORWARDED_FOR, TrustedProxies
from bot.slack.estimate_pages import EstimatePages, PageState, SharedEstimate
from bot.slack.page_view import CONTENT_SECURITY_POLICY, PageParts, notice_page
from bot.slack.ratelimit import PageLimiter
from bot.slack.store.protocols import StoreUnavailable
from bot.slack.workers import WorkerFailed, Workers, WorkerUnavailable

log = logging.getLogger(__name__)

HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # A revoked page must not live on in a cache.
    "Cache-Control": "no-store",
}
GONE_TITLE = "This estimate isn't here"
GONE = "This link has expired or doesn't exist; ask for the estimate again in Slack with /aicost."
REVOKED_TITLE = "This link was revoked"
REVOKED = "Whoever shared this estimate revoked its link; ask them in Slack for a new one."
LATER_TITLE = "Please try again in a minute"
LATER = "This page can't be shown just now. Please try again in a minute."
LIMITED_TITLE = "Too many requests"
LIMITED = "This address has asked for estimate pages very often just now. Please try again shortly."
CHARTS_KEPT = 16  # recently drawn page charts kept, so a reload does not draw again


Handler = Callable[[web.Request], Awaitable[web.Response]]


def add_page_routes(
    app: web.Application,
    pages: EstimatePages,
    workers: Workers,
    charts: Workers | None,
    limiter: PageLimiter,
    proxies: TrustedProxies,
) -> None:
    """The page routes, when PUBLIC_URL is set (without it no link is ever offered)."""
    if not pages.enabled:
        return

    def limited(handler: Handler) -> Handler:
        async def within_the_limit(request: web.Request) -> web.Response:
            client = proxies.client(request.remote, request.headers.getall(FORWARDED_FOR, []))
            wait = await limiter.wait_seconds(client)
            if wait > 0:
                retry = {"Retry-After": str(max(1, math.ceil(wait)))}
                return _html(notice_page(LIMITED_TITLE, LIMITED), 429, retry)
            return await handler(request)

        return within_the_limit

    drawn: OrderedDict[str, bytes] = OrderedDict()

    async def shared(request: web.Request) -> SharedEstimate | web.Response:
        """The page asked for, or the response saying why there is none."""
        try:
            page = await pages.find(request.match_info["page_id"])
        except StoreUnavailable:
            return _html(notice_page(LATER_TITLE, LATER), 503, {"Retry-After": "60"})
        if page is None:
            return _html(notice_page(GONE_TITLE, GONE), 404)
        if page.state is PageState.revoked:
            return _html(notice_page(REVOKED_TITLE, REVOKED), 410)
        return page

    async def estimate_page(request: web.Request) -> web.Response:
        page = await shared(request)
        if isinstance(page, web.Response):
            return page
        base = f"/e/{page.page_id}"
        parts = PageParts(
            chart_url=f"{base}/chart.png" if charts is not None else None,
            csv_url=f"{base}/estimate.csv",
            json_url=f"{base}/estimate.json",
            created_at=page.created_at,
            expires_at=page.expires_at,
        )
        try:
            html = await workers.run(answers.page, page.scenario, page.overrides, parts)
        except Exception:
            # A kept scenario today's prices cannot estimate (a model priced no more, a bug):
            # one sentence, not aiohttp's bare 500; the detail goes to the log.
            log.exception("an estimate page could not be drawn")
            return _html(notice_page(LATER_TITLE, LATER), 503, {"Retry-After": "60"})
        return _html(html, 200)

    async def chart(request: web.Request) -> web.Response:
        page = await shared(request)
        if isinstance(page, web.Response):
            return page
        if charts is None:
            return _html(notice_page(GONE_TITLE, GONE), 404)
        png = drawn.get(page.page_id)
        if png is None:
            try:
                png = await charts.run_elsewhere(
                    chart_worker.estimate_chart,
                    page.scenario,
                    page.overrides,
                    max_owed=limits.CHARTS_OWED,
                )
            except (WorkerUnavailable, WorkerFailed) as exc:
                log.info("page chart skipped: %s", type(exc).__name__)
                return _html(notice_page(LATER_TITLE, LATER), 503, {"Retry-After": "30"})
            drawn[page.page_id] = png
            while len(drawn) > CHARTS_KEPT:
                drawn.popitem(last=False)
        drawn.move_to_end(page.page_id)
        return web.Response(body=png, content_type="image/png", headers=HEADERS)

    async def download(request: web.Request) -> web.Response:
        page = await shared(request)
        if isinstance(page, web.Response):
            return page
        try:
            csv_text, json_text = await workers.run(answers.export, page.scenario, page.overrides)
        except Exception:
            log.exception("an estimate page's download could not be made")
            return _html(notice_page(LATER_TITLE, LATER), 503, {"Retry-After": "60"})
        kind = request.match_info["kind"]
        body, content_type = (
            (csv_text, "text/csv") if kind == "csv" else (json_text, "application/json")
        )
        headers = {
            **HEADERS,
            "Content-Disposition": f'attachment; filename="aicost-estimate.{kind}"',
        }
        return web.Response(text=body, content_type=content_type, headers=headers)

    # The ID pattern is checked again before any lookup (EstimatePages.find).
    page_id = "{page_id:[A-Za-z0-9_-]{22}}"
    app.router.add_get(f"/e/{page_id}", limited(estimate_page))
    app.router.add_get(f"/e/{page_id}/chart.png", limited(chart))
    app.router.add_get(f"/e/{page_id}/estimate.{{kind:csv|json}}", limited(download))
    app.router.add_get("/e/{anything:.*}", limited(_not_ours))


async def _not_ours(request: web.Request) -> web.Response:
    return _html(notice_page(GONE_TITLE, GONE), 404)


def _html(html: str, status: int, extra: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        text=html,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers={**HEADERS, **(extra or {})},
    )
