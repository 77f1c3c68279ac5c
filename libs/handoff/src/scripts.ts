/*
 * The hand-off's Lua scripts, run through luaScript (@citypulse/redis) like every other script:
 * EVALSHA, the full script once when the server does not know it (first use, or a master that
 * restarted and forgot its scripts — also for a call ioredis retried inside a cluster pipeline).
 */

/**
 * Appends entries to a partition and counts their readings (KEYS: stream, backlog, [stream2,
 * backlog2, …]; ARGV per partition: its entry count, then n, lp, companion of each entry, an empty
 * companion meaning none: the field left out, as an older broker wrote every entry). Returns each
 * partition's backlog, in KEYS order. Used on a Redis Cluster, one partition (slot) per call: there
 * a script costs the broker less than a transaction per partition (an ioredis transaction object
 * each: 12 µs of producer CPU per reading against 7–9, measured at 30k readings/s over 16
 * partitions; 26.4–27.1 µs against 25.1–25.4 for the whole broker on a cluster, 2026-12-04). A
 * single Redis takes one transaction for every partition of a flush instead (HandoffProducer), as
 * the arguments' trip into Lua costs Redis more than the XADDs.
 */
export const APPEND_LUA = `
local backlogs = {}
local i = 1
for k = 1, #KEYS, 2 do
  local last = i + 3 * tonumber(ARGV[i])
  local count = 0
  for e = i + 1, last, 3 do
    if ARGV[e + 2] == '' then
      redis.call('XADD', KEYS[k], '*', 'n', ARGV[e], 'lp', ARGV[e + 1])
    else
      redis.call('XADD', KEYS[k], '*', 'n', ARGV[e], 'lp', ARGV[e + 1], 'companion', ARGV[e + 2])
    end
    count = count + tonumber(ARGV[e])
  end
  backlogs[#backlogs + 1] = redis.call('INCRBY', KEYS[k + 1], count)
  i = last + 1
end
return backlogs`;

/** Scripts fenced by the partition's lease answer LOST when the caller no longer holds it. */
export const LOST = 'LOST';

/**
 * New entries of one or more partitions, for the lease holder only (KEYS: stream1, lease1,
 * stream2, …; ARGV: group, consumer, count, token1, token2, …): per partition, in KEYS order, its
 * new entries, or LOST when the caller no longer holds its lease — a process that lost a lease
 * cannot take entries the new owner should read in order. Used on a Redis Cluster, one partition
 * per call (its slot); a single Redis reads all partitions in one watched transaction instead
 * (HandoffConsumer.readNewWatched), as the reply's trip through Lua costs more than the read.
 */
export const READ_NEW_LUA = `
local out = {}
for k = 1, #KEYS, 2 do
  if redis.call('GET', KEYS[k + 1]) ~= ARGV[3 + (k + 1) / 2] then
    out[#out + 1] = '${LOST}'
  else
    local reply = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', KEYS[k], '>')
    out[#out + 1] = reply and reply[1][2] or {}
  end
end
return out`;

/**
 * Pending entries taken over (KEYS: stream, lease; ARGV: token, group, consumer, min idle ms,
 * cursor, count): { next cursor, entries }. With min idle 0, everything a previous owner left.
 */
export const CLAIM_LUA = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return '${LOST}' end
local reply = redis.call('XAUTOCLAIM', KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], 'COUNT', ARGV[6])
return {reply[1], reply[2]}`;

/**
 * XACK + XDEL for the lease holder (KEYS: stream, backlog, lease; ARGV: token, group, id1, n1, …),
 * the backlog lowered only by entries this call really acknowledged: an entry acknowledged twice
 * must not be subtracted twice. Returns the readings acknowledged, or LOST.
 */
export const ACK_LUA = `
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return '${LOST}' end
local acknowledged = 0
for i = 3, #ARGV, 2 do
  if redis.call('XACK', KEYS[1], ARGV[2], ARGV[i]) == 1 then acknowledged = acknowledged + tonumber(ARGV[i + 1]) end
  redis.call('XDEL', KEYS[1], ARGV[i])
end
if acknowledged > 0 then redis.call('DECRBY', KEYS[2], acknowledged) end
return acknowledged`;

/**
 * Takes a partition's lease (KEYS: lease; ARGV: token, ttl ms, owner prefix) when it is free, or
 * held by an earlier run of this same instance (a restarted process resumes at once instead of
 * waiting for its own old lease to expire). Returns 1 when taken.
 */
export const ACQUIRE_LUA = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] and string.sub(holder, 1, #ARGV[3]) ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Extends a lease still held (KEYS: lease; ARGV: token, ttl ms): 1, or 0 when it was lost. */
export const RENEW_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** Gives a lease up if still held (KEYS: lease; ARGV: token). */
export const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * Marks this process alive until now + ttl (Redis time, so hosts' clocks do not matter), drops
 * expired members, and returns how many are alive (KEYS: members; ARGV: member, ttl ms).
 */
export const HEARTBEAT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return redis.call('ZCARD', KEYS[1])`;
