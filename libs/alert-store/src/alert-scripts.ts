/**
 * Opens an alert unless it exists (idempotent by its deterministic id), with its indexes, the
 * (rule, device) pointer and the first history entries, atomically.
 * KEYS: alert, history, open index, all index, city index, device index, rule index, current pointer, device-open set,
 * renotify.
 * ARGV: id, openedAt ms, history entry, renotify at ms or '', second history entry or '' (suppressed), then field,
 * value, ...
 */
export const RAISE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('RPUSH', KEYS[2], ARGV[3])
if ARGV[5] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[5]) end
for i = 3, 7 do redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1]) end
redis.call('SET', KEYS[8], ARGV[1])
redis.call('SADD', KEYS[9], ARGV[1])
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[10], ARGV[4], ARGV[1]) end
return 1
`;

/**
 * Changes an alert only if its state is one of the allowed ones: sets fields ('' deletes one),
 * moves it between state indexes, appends a history entry. Resolving also releases the (rule,
 * device) pointer — only if it still points at this alert — and stops re-notification.
 * Returns 'ok', 'missing', or the current state when it is not allowed.
 * KEYS: alert, history, open index, acknowledged index, resolved index, all index, current pointer, device-open set,
 * renotify.
 * ARGV: id, allowed states (comma list), new state or '', history entry or '', then field, value, ...
 */
export const TRANSITION = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 'missing' end
if not string.find(',' .. ARGV[2] .. ',', ',' .. state .. ',', 1, true) then return state end
for i = 5, #ARGV, 2 do
  if ARGV[i + 1] == '' then
    redis.call('HDEL', KEYS[1], ARGV[i])
  else
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
local index = { open = KEYS[3], acknowledged = KEYS[4], resolved = KEYS[5] }
local target = ARGV[3]
if target ~= '' and target ~= state then
  redis.call('HSET', KEYS[1], 'state', target)
  local score = redis.call('ZSCORE', KEYS[6], ARGV[1]) or '0'
  redis.call('ZREM', index[state], ARGV[1])
  redis.call('ZADD', index[target], score, ARGV[1])
  if target == 'resolved' then
    if redis.call('GET', KEYS[7]) == ARGV[1] then redis.call('DEL', KEYS[7]) end
    redis.call('SREM', KEYS[8], ARGV[1])
    redis.call('ZREM', KEYS[9], ARGV[1])
  end
end
if ARGV[4] ~= '' then redis.call('RPUSH', KEYS[2], ARGV[4]) end
return 'ok'
`;

/** Moves an alert's re-notification time from `expected` to `next` (ms) only if nobody else has: a claim. */
export const CLAIM_RENOTIFY = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('ZREM', KEYS[1], ARGV[1]) else redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
return 1
`;
