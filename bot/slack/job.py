"""A job: one acknowledged Slack request as plain, serialisable fields, done by any replica."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.parsing.text import MAX_TEXT
from bot.visible_text import visible

# A job's text is kept only as far as the parser reads it: a 40,000-character reply costs the
# queue no more than a question does.
JOB_TEXT_LIMIT = MAX_TEXT
# json.dumps with separators builds an encoder per call; a job is dumped on every enqueue.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


@dataclass
class Job:
    """One acknowledged unit of work. The authorization fields (team_id, enterprise_id,
    is_enterprise_install) are the ones Bolt's installation store is keyed by, so `client_for`
    can find the workspace's bot token."""

    kind: str  # slash_command, form, button, thread_reply, mention
    team_id: str
    channel: str
    user: str
    enterprise_id: str | None = None
    is_enterprise_install: bool = False
    thread_ts: str | None = None
    response_url: str | None = None
    private: bool = False  # a private estimate's button: answered through the response_url
    text: str = ""  # the command's or message's text
    ts: str = ""  # the message's own ts (mentions are answered under it)
    action: str = ""  # a button's action_id
    scenario: str = ""  # the scenario the clicked button carried (JSON), "" for none
    shared: bool = False  # in a channel shared with another organisation (Slack Connect)
    values: dict[str, Any] = field(default_factory=dict)  # a form's view.state.values
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    enqueued_at: float = field(default_factory=time.time)
    # Not part of the job's record: read with it from its stream entry. The workspace's stored
    # settings when the job was queued ("" for none); None when the entry did not carry them (an
    # older replica queued it, or the job runs without the queue): read them from the store.
    settings: str | None = None
    # Likewise: the rate-limit charge taken when it was queued (0: counted; more: the seconds
    # to wait, nothing counted); None when it was not charged up front.
    wait: float | None = None

    def __post_init__(self) -> None:
        self.text = visible(self.text[:JOB_TEXT_LIMIT])

    def dump(self) -> str:
        record = vars(self).copy()
        del record["settings"], record["wait"]
        return _COMPACT.encode(record)

    @classmethod
    def load(cls, data: str) -> Job:
        """Fields this version does not know are ignored: during a rolling upgrade, replicas
        of the old version read jobs the new one wrote."""
        return cls(**{k: v for k, v in json.loads(data).items() if k in _FIELDS})


_FIELDS = frozenset(f.name for f in dataclasses.fields(Job))  # once, not on every job read


ClientFor = Callable[[Job], Awaitable[Any]]  # job -> AsyncWebClient (see app.client_for)


class JobDeferred(Exception):
    """A job that cannot start now for a reason that passes (its workspace's token could not be
    looked up: the installation database is down). Raised before anything is posted; a queued
    job is left unacknowledged, and the idle claim delivers it again (bot/slack/job_queue.py)."""
