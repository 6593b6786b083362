"""Where a conversation turn happens: its workspace, channel, person, thread."""

from __future__ import annotations

from dataclasses import dataclass

from bot.slack.job import Job


@dataclass(frozen=True)
class Where:
    """Where a turn happens and how to answer privately."""

    team: str
    channel: str
    user: str
    thread_ts: str | None = None
    response_url: str | None = None
    private: bool = False  # a private estimate: answers go back through the response_url
    # The installation's organisation when `team` is one of its workspaces (Enterprise Grid).
    enterprise: str | None = None


def job_where(job: Job) -> Where:
    return Where(
        team=job.team_id,
        channel=job.channel,
        user=job.user,
        thread_ts=job.thread_ts,
        response_url=job.response_url,
        private=job.private,
        enterprise=job.enterprise_id,
    )
