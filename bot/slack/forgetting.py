"""`/aicost forget` in a channel: what the bot stored for it deleted, and how much."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.slack.direct_message import is_direct
from bot.slack.messages.replies import error_message, info_message
from bot.slack.metrics import Metrics
from bot.slack.posting import Posting
from bot.slack.store.protocols import Store, StoreUnavailable
from bot.slack.where import Where


async def forget_channel(
    store: Store,
    forget_jobs: Callable[[str, str], Awaitable[int]],
    metrics: Metrics,
    post: Posting,
    where: Where,
) -> None:
    """`/aicost forget` (or "forget" in the app's DM): everything stored for the channel deleted
    (its queued jobs, what people wrote, included), and the person told."""
    place = "this conversation" if is_direct(where.channel) else "this channel"
    try:
        deleted = await store.forget(where.team, where.channel)
        deleted += await forget_jobs(where.team, where.channel)
    except StoreUnavailable:
        metrics.redis_errors.inc()
        await post.reply(
            where,
            error_message(
                f"I couldn't reach my storage to forget {place}; nothing was deleted. "
                "Please try again in a minute."
            ),
        )
        return
    await post.reply(
        where,
        info_message(
            f"Forgotten: I deleted everything I stored for {place} "
            f"({deleted} item{'s' if deleted != 1 else ''}): scenarios, threads and history."
        ),
    )
