"""What the job stream keeps, and for how long: its keys, its bounds, the script that records a
job, and deleting a workspace's or a channel's entries (forget, uninstall).

The stream `aicost:jobs` holds only work not yet done: a reply in a thread the bot did not start
is never recorded, text is cut at JOB_TEXT_LIMIT (bot/slack/job.py), a finished job's entry and
its step ledger are deleted when it is acknowledged, and what is left is trimmed by length and
by age (docs/reliability.md, "What is kept").
"""

from __future__ import annotations

import logging

import redis.asyncio as aioredis

from bot.slack.job import Job
from bot.slack.store.keys import KEY_PREFIX, channel_keys
from bot.slack.store.redis_backend import TOKEN_BUCKETS_LUA

log = logging.getLogger(__name__)

STREAM = f"{KEY_PREFIX}:jobs"
DEAD_STREAM = f"{KEY_PREFIX}:jobs:dead"
GROUP = KEY_PREFIX
# The stream holds only work not yet done (a finished job's entry is deleted as it is
# acknowledged), so both bounds are far above any real backlog; they cap what a flood can make
# Redis hold (entries' text is cut at JOB_TEXT_LIMIT). The length trim is approximate (`~`: whole
# stream nodes of about 100 entries); the age trim is exact.
STREAM_MAX_LEN = 10_000
# Older than this, a job is not worth doing (a response_url lasts 30 minutes) and is trimmed.
JOB_MAX_AGE_SECONDS = 3600
DEAD_MAX_LEN = 1_000
DEAD_MAX_AGE_SECONDS = 7 * 24 * 3600  # dead letters are for an operator to read, for a week
# Jobs answered "slow down" before their text is read when over the fair-use limit.
FOLLOW_UPS = frozenset({"thread_reply", "mention"})
FORGET_PAGE = 500  # entries read per round trip while looking for a workspace's


# The owner check (a thread reply: only in a thread the bot keeps a conversation for), the
# duplicate claim (optional), rate-limit tokens (optional) and XADD in one round trip. The
# workspace's settings ride along in the entry ("" when it has none), so whoever runs the job
# reads no more to price it, and prices it as the settings stood when it was acknowledged; a
# charged job's entry says what the charge found ("0": a token taken, else seconds to wait).
# The stream is then trimmed to entries younger than JOB_MAX_AGE_SECONDS.
# A follow-up over the limit is recorded without its text.
# Past the sender's deadline it does nothing and answers 'late' (the sender has stopped waiting);
# a reply in a thread that is not ours is not recorded ('not_ours'), so what people write
# elsewhere is never kept.
# KEYS: the stream, the settings, [the thread's conversation], [the duplicate claim], [token
# buckets]; ARGV: the stream's length, the job, the claim's seconds, how many claim keys (0 or
# 1), the buckets' window, now, the deadline, how many owner keys (0 or 1), the oldest entry ID
# kept, the buckets' capacities, then '1' when the job is a follow-up: one over the limit is
# answered "slow down" without reading its text, so its text is not kept (a flood stores none).
ENQUEUE = (
    TOKEN_BUCKETS_LUA
    + """
local clock = redis.call('TIME')
if tonumber(clock[1]) + tonumber(clock[2]) / 1000000 > tonumber(ARGV[7]) then
  return 'late'
end
local owners = tonumber(ARGV[8])
if owners == 1 and redis.call('EXISTS', KEYS[3]) == 0 then
  return 'not_ours'
end
local claims = tonumber(ARGV[4])
if claims == 1 and not redis.call('SET', KEYS[3 + owners], '1', 'NX', 'EX', ARGV[3]) then
  return false
end
local fields = {'job', ARGV[2], 'settings', redis.call('GET', KEYS[2]) or ''}
if #KEYS > 2 + owners + claims then
  local wait = take_tokens(3 + owners + claims, tonumber(ARGV[5]), tonumber(ARGV[6]), 10)
  table.insert(fields, 'wait')
  table.insert(fields, wait)
  if wait ~= '0' and ARGV[10 + #KEYS - 2 - owners - claims] == '1' then
    local job = cjson.decode(ARGV[2])
    job['text'] = ''
    fields[2] = cjson.encode(job)
  end
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(fields))
redis.call('XTRIM', KEYS[1], 'MINID', ARGV[9])
return id
"""
)


def ledger_key(job: Job) -> str:
    """The Redis hash of a job's step ledger, beside the stream it was recorded in."""
    return f"{STREAM}:steps:{job.id}"


def owner_key(job: Job) -> str:
    """The conversation a thread reply continues: queued only while it exists."""
    return channel_keys(job.team_id, job.channel).thread(job.thread_ts or "")


def oldest_id(now: float, age_seconds: float) -> str:
    """The stream ID below which entries are older than `age_seconds` (IDs are milliseconds)."""
    return f"{int((now - age_seconds) * 1000)}-0"


async def forget_jobs(redis: aioredis.Redis, team: str, channel: str | None = None) -> int:
    """Delete the entries (and step ledgers) of `team`'s jobs, only `channel`'s when given, from
    the job stream and the dead letters; how many. A job being run goes on (its acknowledgement
    finds nothing to delete); one not yet read is never answered."""
    deleted = 0
    for stream in (STREAM, DEAD_STREAM):
        start = "-"
        while True:
            page = await redis.xrange(stream, min=start, max="+", count=FORGET_PAGE)
            doomed, ledgers = [], []
            for entry_id, fields in page:
                job = _job_of(fields)
                if job is not None and job.team_id == team and channel in (None, job.channel):
                    doomed.append(entry_id)
                    ledgers.append(ledger_key(job))
            if doomed:
                async with redis.pipeline(transaction=True) as pipe:
                    pipe.xdel(stream, *doomed)
                    pipe.delete(*ledgers)
                    removed, _ = await pipe.execute()
                deleted += int(removed)
            if len(page) < FORGET_PAGE:
                break
            start = "(" + page[-1][0]
    return deleted


def _job_of(fields: dict[str, str]) -> Job | None:
    try:
        return Job.load(fields["job"])
    except (KeyError, TypeError, ValueError):
        return None  # unreadable: whoever reads it drops it
