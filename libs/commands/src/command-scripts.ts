/**
 * KEYS: command hash, device history (sorted set by issue time), device pending set.
 * ARGV: id, deviceId, name, params JSON, issuedAt, deadline, issuedAt ms, ttl s, keep per device,
 * channel, notice, the device's key base `{<prefix>:cmd:<deviceId>}` (the slot of every KEY),
 * '1' to store nothing when a command of that id exists (a retried dispatch: returns 0).
 * Stores a pending command, keeps only the newest `keep` commands of the device, and publishes
 * the delivery notice in the same step, so a stored command is never missed by the brokers.
 */
export const CREATE_COMMAND = `
local h, history, pending = KEYS[1], KEYS[2], KEYS[3]
local id, device, ttl, keep = ARGV[1], ARGV[2], tonumber(ARGV[8]), tonumber(ARGV[9])
if ARGV[13] == '1' and redis.call('EXISTS', h) == 1 then return 0 end
redis.call('HSET', h, 'id', id, 'deviceId', device, 'name', ARGV[3], 'params', ARGV[4], 'status', 'pending',
  'issuedAt', ARGV[5], 'deadline', ARGV[6])
redis.call('EXPIRE', h, ttl)
redis.call('ZADD', history, ARGV[7], id)
redis.call('ZADD', pending, ARGV[7], id)
local old = redis.call('ZRANGE', history, 0, -keep - 1)
for _, oldId in ipairs(old) do
  redis.call('DEL', ARGV[12] .. ':command:' .. oldId)
  redis.call('ZREM', pending, oldId)
end
if #old > 0 then redis.call('ZREMRANGEBYRANK', history, 0, #old - 1) end
redis.call('EXPIRE', history, ttl)
redis.call('EXPIRE', pending, ttl)
redis.call('PUBLISH', ARGV[10], ARGV[11])
return 1
`;

/**
 * KEYS: command hash, device pending set.
 * ARGV: to, at, deviceId, result JSON ('' = none), error ('' = none), then the statuses it may move from.
 * Returns {1, previous status} when it moved; {0, current status} when not allowed; {0, ''} for a
 * command that does not exist or belongs to another device (a device learns nothing of others').
 */
export const MOVE_COMMAND = `
local h = KEYS[1]
local status = redis.call('HGET', h, 'status')
if not status or redis.call('HGET', h, 'deviceId') ~= ARGV[3] then return {0, ''} end
local allowed = false
for i = 6, #ARGV do
  if ARGV[i] == status then allowed = true end
end
if not allowed then return {0, status} end
local to, at = ARGV[1], ARGV[2]
redis.call('HSET', h, 'status', to)
if to == 'delivered' then
  redis.call('HSET', h, 'deliveredAt', at)
else
  redis.call('HSET', h, 'finishedAt', at)
  -- an ack proves delivery even when it overtook the PUBACK's bookkeeping
  if to ~= 'timed-out' and not redis.call('HGET', h, 'deliveredAt') then redis.call('HSET', h, 'deliveredAt', at) end
end
if ARGV[4] ~= '' then redis.call('HSET', h, 'result', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', h, 'error', ARGV[5]) end
redis.call('ZREM', KEYS[2], redis.call('HGET', h, 'id'))
return {1, status}
`;
