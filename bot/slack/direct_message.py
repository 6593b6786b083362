"""The app's direct message with a person: the conversation Slack sends their clicks and
replies from (D…), which is where an estimate started outside any channel lives."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient


def is_person(channel: str) -> bool:
    """A person's user id (U…, W… on Enterprise Grid) where a conversation id belongs."""
    return channel[:1] in ("U", "W")


def is_direct(channel: str) -> bool:
    """The app's direct message with a person (D…): its Messages tab."""
    return channel.startswith("D")


async def dm_channel(client: AsyncWebClient, user: str) -> str:
    """The id of the app's DM with `user` (conversations.open; needs im:write). Slack accepts a
    user id when posting, but sends the DM's id with every click and reply, and wants it for
    uploads and permalinks: the estimate's state is kept under it."""
    response = await client.conversations_open(users=user)
    return str((response.get("channel") or {}).get("id") or user)
