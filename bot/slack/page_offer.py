"""An estimate offered with the link to its shareable page, as it is posted."""

from __future__ import annotations

from bot.slack.estimate_pages import EstimatePages
from bot.slack.message import Message
from bot.slack.messages.page_link import with_page_link
from bot.slack.posting import Posting
from bot.slack.store_access import StoreAccess
from bot.slack.where import Where
from estimator import Scenario


async def offer_page(
    pages: EstimatePages,
    stored: StoreAccess,
    post: Posting,
    where: Where,
    message: Message,
    scenario: Scenario | None,
) -> Message:
    """The estimate with the link to its page (PUBLIC_URL set), the page kept first; the
    message as it was when pages are off or the page could not be kept. A queued job taken
    over reuses the ID its first delivery chose, so the link posted is the page kept."""
    if not pages.enabled or scenario is None or where.private:
        return message
    page_id = pages.new_id()
    if post.ledger is not None:
        page_id = await post.ledger.keep("page", page_id)
    prices = await stored.prices(where.team, post.job)
    link = await pages.create(where.team, where.channel, where.user, scenario, prices, page_id)
    return with_page_link(message, link) if link is not None else message
