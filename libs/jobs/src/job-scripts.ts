/**
 * The job's Lua scripts. Every KEY of one call carries the job's hash tag. Counters `c:<state>` in
 * the meta hash move with each device's state in the same script, so the totals always add up.
 */

/**
 * KEYS: meta, order, states, inflight. ARGV: expected released count, how many to take, credit,
 * now ms, rate started ('0'/'1'), now ISO.
 * Takes the next devices of the rollout (running jobs only, and only if nobody moved the cursor
 * since it was read) and marks them dispatching. Returns their ids.
 */
export const ADVANCE_JOB = `
local meta, order, states, inflight = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('HGET', meta, 'state') ~= 'running' then return {} end
local released = tonumber(redis.call('HGET', meta, 'released'))
if released ~= tonumber(ARGV[1]) then return {} end
local n = tonumber(ARGV[2])
local ids = {}
if n > 0 then ids = redis.call('ZRANGE', order, released, released + n - 1) end
for _, id in ipairs(ids) do
  redis.call('HSET', states, id, 'dispatching')
  redis.call('ZADD', inflight, ARGV[4], id)
end
redis.call('HSET', meta, 'released', released + #ids, 'credit', ARGV[3], 'lastTickMs', ARGV[4], 'rateStarted', ARGV[5])
if #ids > 0 then
  redis.call('HINCRBY', meta, 'c:dispatching', #ids)
  redis.call('HSET', meta, 'updatedAt', ARGV[6])
end
return ids
`;

/**
 * KEYS: meta, states, detail, inflight. ARGV: device, to, detail JSON ('' = keep), in-flight score
 * ('' = leaves the in-flight set), now ISO, then the states it may move from.
 * Returns 1 when it moved, 0 when the device was not in one of those states.
 */
export const MOVE_DEVICE = `
local meta, states, detail, inflight = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local device, to = ARGV[1], ARGV[2]
local current = redis.call('HGET', states, device)
if not current then return 0 end
local allowed = false
for i = 6, #ARGV do
  if ARGV[i] == current then allowed = true end
end
if not allowed then return 0 end
redis.call('HSET', states, device, to)
redis.call('HINCRBY', meta, 'c:' .. current, -1)
redis.call('HINCRBY', meta, 'c:' .. to, 1)
if ARGV[3] ~= '' then redis.call('HSET', detail, device, ARGV[3]) end
if ARGV[4] == '' then redis.call('ZREM', inflight, device) else redis.call('ZADD', inflight, ARGV[4], device) end
redis.call('HSET', meta, 'updatedAt', ARGV[5])
return 1
`;

/**
 * KEYS: meta. ARGV: to, now ms, now ISO, reason, then the states it may move from.
 * Moves the job's state. Into a final state, the devices the rollout has not reached become
 * skipped. Returns {1, previous} when it moved, {0, current} when not ({0, ''}: no such job).
 */
export const MOVE_JOB = `
local meta = KEYS[1]
local current = redis.call('HGET', meta, 'state')
if not current then return {0, ''} end
local allowed = false
for i = 5, #ARGV do
  if ARGV[i] == current then allowed = true end
end
if not allowed then return {0, current} end
local to = ARGV[1]
redis.call('HSET', meta, 'state', to, 'updatedAt', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', meta, 'reason', ARGV[4]) end
if to == 'running' then
  redis.call('HSET', meta, 'lastTickMs', ARGV[2])
elseif to ~= 'paused' then
  local total = tonumber(redis.call('HGET', meta, 'total'))
  local released = tonumber(redis.call('HGET', meta, 'released'))
  redis.call('HSET', meta, 'c:skipped', total - released, 'endedAt', ARGV[3])
end
return {1, current}
`;
