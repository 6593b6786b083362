"""A thread's state, wherever it is kept: under this workspace, under the other organisation's
installation of a shared channel, or, when the store may have lost it, in the thread itself.

In a channel shared by two organisations that both installed the app, Slack delivers each event
for one of the installations. An estimate started by the other side (its `/aicost`, its
installation) is remembered under that installation; a reply delivered for ours finds nothing
under our own. The estimate itself says whose it is: its buttons carry the owner, so on a miss in
a shared channel the thread's first message is read (bot/slack/thread_record.py) and the state is
taken from its owner.

A miss proves nothing either when the store could not be read, or when it is a replicated Redis
(a primary that died before its replica had a save took the thread along; docs/reliability.md,
"Redis failover"). Then the thread's scenarios (a comparison's or break-even's question) are
read back from the bot's own messages in it and kept again, so the reply is answered, and the
next one is queued like any other.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk.web.async_client import AsyncWebClient

from bot.advisor import ConversationState
from bot.slack.store.protocols import Store
from bot.slack.store_access import StoreAccess
from bot.slack.thread_record import read_thread
from bot.slack.where import Where

log = logging.getLogger(__name__)


async def load_thread(
    store: Store, stored: StoreAccess, client: AsyncWebClient, where: Where, shared: bool
) -> tuple[ConversationState | None, Where]:
    """The thread's state and where it lives (`where`, or the owner's workspace in its place)."""
    thread_ts = where.thread_ts or ""
    state, read = await stored.load(lambda: store.load_thread(where.team, where.channel, thread_ts))
    if state is not None or not thread_ts:
        return state, where
    doubtful = not read or store.replicated  # a miss that does not prove the thread is not ours
    if not shared and not doubtful:
        return None, where
    thread = await read_thread(client, where.channel, thread_ts, whole=doubtful)
    if thread is None:
        return None, where
    owned = where
    if thread.owner != where.team:
        if not shared:  # another workspace's estimate in a channel not shared: not ours to answer
            return None, where
        owned = replace(where, team=thread.owner, enterprise=None)
        state, read = await stored.load(
            lambda: store.load_thread(owned.team, where.channel, thread_ts)
        )
        if state is not None:
            return state, owned
        doubtful = not read or store.replicated
    if not doubtful or thread.state is None:
        return None, where
    log.warning(
        "thread %s in %s had no stored conversation; it was read back from Slack (the "
        "estimate's buttons, or the question's metadata)",
        thread_ts, where.channel,
    )  # fmt: skip
    state = await stored.priced(thread.state)
    if state is None:
        return None, where
    await stored.save(lambda: store.save_thread(owned.team, where.channel, thread_ts, state))
    return state, owned
