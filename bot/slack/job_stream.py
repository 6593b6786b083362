"""What the job stream keeps, and for how long: its keys, its bounds, the scripts that record a
job, and deleting a workspace's or a channel's entries (forget, uninstall).

The queue is JOB_STREAM_PARTITIONS streams, `aicost:{jobs:0}`, `aicost:{jobs:1}`, ...; each
partition's keys (its stream, dead letters, step ledgers and the duplicate claims recorded with
its jobs) share its hash tag, so on a Redis Cluster each partition lives in one slot and its
scripts and transactions run there. A workspace's jobs all go to one partition (a stable hash of
its ID). The streams hold only work not yet done: a reply in a thread the bot did not start
is never recorded, text is cut at JOB_TEXT_LIMIT (bot/slack/job.py), a finished job's entry and
its step ledger are deleted when it is acknowledged, and what is left is trimmed by length and
by age (docs/reliability.md, "What is kept").
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

from bot.slack.job import Job
from bot.slack.store.keys import KEY_PREFIX, channel_keys, team_of
from bot.slack.store.redis_scripts import TOKEN_BUCKETS_LUA

log = logging.getLogger(__name__)

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


def stream_key(partition: int) -> str:
    """The stream of one partition of the queue: `aicost:{jobs:0}`."""
    return f"{KEY_PREFIX}:{{jobs:{int(partition)}}}"


def dead_key(stream: str) -> str:
    """The dead letters of a partition, in its slot."""
    return f"{stream}:dead"


def partition_of(team: str, partitions: int) -> int:
    """The partition a workspace's jobs go to: the same in every replica and every release."""
    return zlib.crc32(team.encode()) % partitions if partitions > 1 else 0


# The first partition: the whole queue on one Redis (JOB_STREAM_PARTITIONS=1, the default).
STREAM = stream_key(0)
DEAD_STREAM = dead_key(STREAM)


def queue_claim_key(stream: str, key: str) -> str:
    """A duplicate claim recorded with a job, in its partition's slot (claimed and recorded in
    one script on a cluster too); `key` is Slack IDs joined by ':', its workspace named."""
    team_of(key)  # validates it
    return f"{stream}:claim:{key}"


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


# On a Redis Cluster the workspace's keys and the partition's live in different slots, so ENQUEUE
# is split in two, run one after the other (docs/queue.md, "Redis Cluster"). First, in the
# workspace's slot: the deadline, the owner check, the settings and the rate-limit charge.
# KEYS: the settings, [the thread's conversation], [token buckets]; ARGV: the buckets' window,
# now, the deadline, how many owner keys (0 or 1), the buckets' capacities.
# Returns {status ('late', 'not_ours', 'ok'), the settings or '', the wait or '' (not charged)}.
ENQUEUE_WORKSPACE = (
    TOKEN_BUCKETS_LUA
    + """
local clock = redis.call('TIME')
if tonumber(clock[1]) + tonumber(clock[2]) / 1000000 > tonumber(ARGV[3]) then
  return {'late', '', ''}
end
local owners = tonumber(ARGV[4])
if owners == 1 and redis.call('EXISTS', KEYS[2]) == 0 then
  return {'not_ours', '', ''}
end
local settings = redis.call('GET', KEYS[1]) or ''
local wait = ''
if #KEYS > 1 + owners then
  wait = take_tokens(2 + owners, tonumber(ARGV[1]), tonumber(ARGV[2]), 5)
end
return {'ok', settings, wait}
"""
)
# Then, in the partition's slot: the deadline again, the duplicate claim and the entry, together.
# KEYS: the stream, [the duplicate claim]; ARGV: the stream's length, the claim's seconds, the
# deadline, the oldest entry ID kept, then the entry's fields and values.
ENQUEUE_PARTITION = """
local clock = redis.call('TIME')
if tonumber(clock[1]) + tonumber(clock[2]) / 1000000 > tonumber(ARGV[3]) then
  return 'late'
end
if #KEYS > 1 and not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then
  return false
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 5))
redis.call('XTRIM', KEYS[1], 'MINID', ARGV[4])
return id
"""


def ledger_key(stream: str, job: Job) -> str:
    """The Redis hash of a job's step ledger, beside the stream it was recorded in."""
    return f"{stream}:steps:{job.id}"


def owner_key(job: Job) -> str:
    """The conversation a thread reply continues: queued only while it exists."""
    return channel_keys(job.team_id, job.channel).thread(job.thread_ts or "")


def oldest_id(now: float, age_seconds: float) -> str:
    """The stream ID below which entries are older than `age_seconds` (IDs are milliseconds)."""
    return f"{int((now - age_seconds) * 1000)}-0"


async def forget_jobs(redis: Any, streams: list[str], team: str, channel: str | None = None) -> int:
    """Delete the entries (and step ledgers) of `team`'s jobs, only `channel`'s when given, from
    the job streams and their dead letters; how many. A job being run goes on (its
    acknowledgement finds nothing to delete); one not yet read is never answered."""
    deleted = 0
    for stream in [key for partition in streams for key in (partition, dead_key(partition))]:
        ledger_of = partition_of_key(stream)
        start = "-"
        while True:
            page = await redis.xrange(stream, min=start, max="+", count=FORGET_PAGE)
            doomed, ledgers = [], []
            for entry_id, fields in page:
                job = _job_of(fields)
                if job is not None and job.team_id == team and channel in (None, job.channel):
                    doomed.append(entry_id)
                    ledgers.append(ledger_key(ledger_of, job))
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


def partition_of_key(key: str) -> str:
    """The partition's stream a key of it (its dead letters, a ledger) belongs to."""
    return key[: key.index("}") + 1]


def _job_of(fields: dict[str, str]) -> Job | None:
    try:
        return Job.load(fields["job"])
    except (KeyError, TypeError, ValueError):
        return None  # unreadable: whoever reads it drops it
