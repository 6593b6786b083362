"""The store's Lua scripts, as data: saving a conversation in one round trip, and token buckets
(which the job queue's enqueue scripts run too, bot/slack/job_stream.py). Every key a script
touches is one workspace's (one hash slot on a Redis Cluster)."""

# KEYS: thread, thread index, latest, estimates, workspace recent. ARGV: state JSON, thread ts,
# now, ttl, history entry JSON ("" for none), history cap, workspace entry JSON, workspace cap.
# The index is scored by write time so threads that have expired can be pruned from it.
# A thread already holding this very state was saved by an earlier attempt whose answer came too
# late: saved again, nothing is written twice (StoreAccess.save tries a slow save again).
SAVE_CONVERSATION = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return 0
end
local ttl = tonumber(ARGV[4])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - ttl)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('SET', KEYS[3], ARGV[1], 'EX', ttl)
if ARGV[5] ~= '' then
  redis.call('LPUSH', KEYS[4], ARGV[5])
  redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[6]) - 1)
  redis.call('EXPIRE', KEYS[4], ttl)
  redis.call('LPUSH', KEYS[5], ARGV[7])
  redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[8]) - 1)
  redis.call('EXPIRE', KEYS[5], ttl)
end
return 1
"""

# A question's thread (a comparison, a break-even): the thread and its index, as above, never the
# channel's latest estimate. KEYS: thread, thread index. ARGV: state JSON, thread ts, now, ttl.
# Nothing in it adds up, so a save made again just writes the same (and refreshes the TTLs).
SAVE_THREAD = """
local ttl = tonumber(ARGV[4])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return 1
"""


# Token buckets, as a Lua function: the store's own script runs it, and so does the job queue's
# enqueue (bot/slack/job_queue.py), which charges a slash command in the round trip that records it.
# Buckets are KEYS[first_key..], their capacities ARGV[first_capacity..]; stops at the first empty
# one and returns the seconds until it has a token, "0" when every bucket gave one.
TOKEN_BUCKETS_LUA = """
local function take_tokens(first_key, window, now, first_capacity)
  for i = first_key, #KEYS do
    local key = KEYS[i]
    local capacity = tonumber(ARGV[first_capacity + i - first_key])
    local rate = capacity / window
    local state = redis.call('HMGET', key, 'tokens', 'at')
    local tokens = tonumber(state[1]) or capacity
    local at = tonumber(state[2]) or now
    tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
    if tokens < 1 then
      return tostring((1 - tokens) / rate)
    end
    redis.call('HSET', key, 'tokens', tokens - 1, 'at', now)
    redis.call('EXPIRE', key, math.ceil(window) + 1)
  end
  return "0"
end
"""
TAKE_TOKENS = TOKEN_BUCKETS_LUA + "return take_tokens(1, tonumber(ARGV[1]), tonumber(ARGV[2]), 3)"
# One token back to each bucket that still exists (capped at its capacity).
GIVE_BACK_TOKENS = """
for i, key in ipairs(KEYS) do
  local tokens = tonumber(redis.call('HGET', key, 'tokens'))
  if tokens then
    redis.call('HSET', key, 'tokens', math.min(tonumber(ARGV[i]), tokens + 1))
  end
end
return 1
"""
