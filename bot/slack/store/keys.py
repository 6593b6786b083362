"""Every key the store writes, built in one place so both backends (and the job queue, which
writes claims and buckets in its own script) name things identically.

Keys are built only from Slack IDs (and the bot's own page IDs), so user text never shapes a
key, and each names its workspace so two workspaces sharing a channel ID never see each other's
data and an uninstall finds all of a workspace's keys (a page's pointer, which names only its
ID, through the workspace's page index). Every key of a workspace carries the workspace as its
hash tag (`aicost:{T123}:...`), so a Redis Cluster keeps them in one slot and a script touching
several of them runs there (docs/queue.md, "Redis with failover"). The job queue's keys carry
their partition's tag instead (bot/slack/job_stream.py); a page's pointer has none (pointers
spread over the slots; it is written and deleted apart from its workspace's keys); a shared
page client's bucket and claim carry that client's digest (`aicost:{page:<digest>}:...`), so the
clients spread over a cluster's shards rather than all landing on one (no script touches two).
Keys written by versions before the tags are renamed once at start (bot/slack/store/upgrade.py);
changing a key here orphans a running deployment's data unless that module learns the old name
(the page clients' keys live a minute: the old `aicost:{page}:` ones simply expire).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KEY_PREFIX = "aicost"
# Duplicate-claim kinds; each claim key names the workspace right after its kind.
CLAIM_KINDS = ("click", "view", "event", "command")

# Slack team, channel and message-ts IDs only; anything else is a caller bug or user text.
SLACK_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Claim and bucket keys are composed from Slack IDs, so a colon separator is allowed too.
_COMPOSED_ID = re.compile(r"[A-Za-z0-9._:-]{1,200}")


def slack_id(value: str, what: str) -> str:
    """`value` when it is a Slack ID, else ValueError naming `what`."""
    if not isinstance(value, str) or not SLACK_ID.fullmatch(value):
        raise ValueError(f"{what} is not a Slack ID")
    return value


def workspace_prefix(team: str) -> str:
    """`aicost:{T123}:`: the start of every key of a workspace, its hash tag included."""
    return f"{KEY_PREFIX}:{{{slack_id(team, 'team')}}}:"


@dataclass(frozen=True)
class ChannelKeys:
    prefix: str  # every key of the channel starts with it
    latest: str  # the channel's latest scenario
    threads: str  # the index of its threads, scored by write time
    estimates: str  # its estimate history, newest first

    def thread(self, thread_ts: str) -> str:
        return f"{self.prefix}thread:{slack_id(thread_ts, 'thread ts')}"


def channel_keys(team: str, channel: str) -> ChannelKeys:
    prefix = f"{workspace_prefix(team)}{slack_id(channel, 'channel')}:"
    return ChannelKeys(
        prefix=prefix,
        latest=f"{prefix}latest",
        threads=f"{prefix}threads",
        estimates=f"{prefix}estimates",
    )


@dataclass(frozen=True)
class WorkspaceKeys:
    recent: str  # the workspace's newest estimates across channels (the Home tab)
    settings: str  # the workspace's settings
    feedback: str  # how many estimates people found useful, or not (a hash of counts)
    pages: str  # its shareable estimate pages: "ID:channel" scored by expiry (forget finds them)


def settings_key(team: str) -> str:
    """A workspace's settings (`workspace_keys(team).settings`, without the other three keys: the
    key every recorded job reads)."""
    return f"{workspace_prefix(team)}settings"


def workspace_keys(team: str) -> WorkspaceKeys:
    """Keys kept per workspace rather than per channel (uninstall deletes these too)."""
    prefix = workspace_prefix(team)
    return WorkspaceKeys(
        recent=f"{prefix}recent",
        settings=f"{prefix}settings",
        feedback=f"{prefix}feedback",
        pages=f"{prefix}pages",
    )


# A shareable page's ID (secrets.token_urlsafe(16): 22 URL-safe characters); nothing else is
# looked up, so a guessed or malformed ID never reaches the store.
PAGE_ID = re.compile(r"[A-Za-z0-9_-]{22}")


@dataclass(frozen=True)
class PageKeys:
    record: str  # the page's data, under its workspace (uninstall deletes it with the rest)
    pointer: str  # which workspace the ID belongs to: the only key a page's address finds
    index: str  # the workspace's pages (WorkspaceKeys.pages)


def page_pointer(page_id: str) -> str:
    """Where a page's workspace is found from its ID alone (ValueError for an ID not ours)."""
    if not isinstance(page_id, str) or not PAGE_ID.fullmatch(page_id):
        raise ValueError("page ID is not one of ours")
    return f"{KEY_PREFIX}:page:{page_id}"


def page_keys(team: str, page_id: str) -> PageKeys:
    pointer = page_pointer(page_id)
    return PageKeys(
        record=f"{workspace_prefix(team)}page:{page_id}",
        pointer=pointer,
        index=workspace_keys(team).pages,
    )


def page_member(page_id: str, channel: str) -> str:
    """A page's entry in its workspace's index: its ID and the channel it was posted in."""
    return f"{page_id}:{slack_id(channel, 'channel')}"


def pages_of(members: list[str], channel: str | None = None) -> list[tuple[str, str]]:
    """(index member, page ID) of the index's pages (of `channel` only, when given); members
    that are not ours are skipped, so a tampered index deletes nothing of another workspace."""
    found = []
    for member in members:
        page_id, _, where = member.partition(":")
        if PAGE_ID.fullmatch(page_id) and (channel is None or where == channel):
            found.append((member, page_id))
    return found


def workspace_patterns(team: str) -> list[str]:
    """Glob patterns covering every key a workspace owns (Slack IDs hold no glob characters):
    its tagged keys, and the duplicate claims the job queue keeps beside its partitions."""
    team = slack_id(team, "team")
    return [
        f"{workspace_prefix(team)}*",
        *(f"{KEY_PREFIX}:{{jobs:*}}:claim:{kind}:{team}:*" for kind in CLAIM_KINDS),
        f"{KEY_PREFIX}:{{jobs:*}}:claim:{team}:*",
    ]


def _composed(key: str, what: str) -> str:
    if not isinstance(key, str) or not _COMPOSED_ID.fullmatch(key):
        raise ValueError(f"{what} may only contain Slack ID characters and ':'")
    return key


_KINDS = frozenset((*CLAIM_KINDS, "user", "team"))


def team_of(key: str) -> str:
    """The workspace a claim or bucket key (`kind:T123:...`, or `T123:...`) belongs to."""
    head, _, rest = _composed(key, "claim key").partition(":")
    team = rest.partition(":")[0] if head in _KINDS and rest else head
    # Its characters are Slack ID characters already (the key's were checked): only its length.
    if not 0 < len(team) <= 64:
        raise ValueError("the key's workspace is not a Slack ID")
    return team


def slot_tag(key: str) -> str:
    """The hash tag a claim or bucket key is kept under: its workspace's, or for a shared page's
    client (`page:<digest>`, `page:<digest>:limited`) that client's own (`page:<digest>`)."""
    head, _, rest = _composed(key, "claim key").partition(":")
    if head == "page":
        client = rest.partition(":")[0]
        if not client:
            raise ValueError("a page client's key names no client")
        return f"page:{client}"
    return team_of(key)


def claim_key(key: str) -> str:
    """Where the duplicate claim `key` (Slack IDs joined by ':', its workspace first or right
    after its kind; or a page client's) is recorded, in its workspace's (or client's) slot."""
    return f"{KEY_PREFIX}:{{{slot_tag(key)}}}:claim:{key}"


def bucket_key(key: str) -> str:
    """Where the token bucket `key` (`user:T123:U1`, `team:T123`, `page:<digest>`) is kept, in
    its workspace's (or client's) slot."""
    return f"{KEY_PREFIX}:{{{slot_tag(key)}}}:bucket:{key}"
