/**
 * Lua for presence; key names must match RegistryKeys (`<tag>:presence:…`, ARGV `prefix` is the registry tag
 * `{<prefix>:reg}`, the slot of every KEY).
 */

/**
 * KEYS: presence hash, online set, this broker's device set, brokers set.
 * ARGV: id, brokerId, connectionId, now, city, channel, prefix.
 */
export const MARK_ONLINE = `
local presence, online, mine, brokers = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, broker, connection, now, city, channel, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local previous = redis.call('HGET', presence, 'brokerId')
if previous and previous ~= broker then redis.call('SREM', prefix .. ':presence:broker:' .. previous, id) end
redis.call('HSET', presence, 'online', '1', 'brokerId', broker, 'connectionId', connection, 'connectedSince', now,
  'lastSeen', now, 'city', city)
redis.call('HDEL', presence, 'offlineReason', 'lastWill')
redis.call('SADD', online, id)
redis.call('SADD', mine, id)
redis.call('SADD', brokers, broker)
redis.call('PUBLISH', channel, cjson.encode({ deviceId = id, city = city, online = true, at = now, brokerId = broker }))
return 1
`;

/**
 * Only the connection that marked the device online may mark it offline: after a takeover (same
 * or another broker) the old connection's late disconnect must not flip it back.
 * KEYS: presence hash, online set. ARGV: id, connectionId, now, reason, lastWill (1/0), channel, prefix.
 */
export const MARK_OFFLINE = `
local presence, online = KEYS[1], KEYS[2]
local id, connection, now, reason, will, channel, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
if redis.call('HGET', presence, 'connectionId') ~= connection then return 0 end
redis.call('HSET', presence, 'online', '0', 'lastSeen', now, 'offlineReason', reason, 'lastWill', will)
redis.call('SREM', online, id)
local broker = redis.call('HGET', presence, 'brokerId')
redis.call('SREM', prefix .. ':presence:broker:' .. broker, id)
local city = redis.call('HGET', presence, 'city') or ''
redis.call('PUBLISH', channel, cjson.encode({ deviceId = id, city = city, online = false, at = now, brokerId = broker,
  reason = reason, lastWill = will == '1' }))
return 1
`;

/**
 * Marks offline every device a broker still holds online (it died, or is shutting down), then
 * forgets the broker. KEYS: the broker's device set, brokers set, online set.
 * ARGV: brokerId, now, reason, channel, prefix. Returns how many went offline.
 */
export const RELEASE_BROKER = `
local mine, brokers, online = KEYS[1], KEYS[2], KEYS[3]
local broker, now, reason, channel, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local released = 0
for _, id in ipairs(redis.call('SMEMBERS', mine)) do
  local presence = prefix .. ':presence:' .. id
  local state = redis.call('HMGET', presence, 'brokerId', 'online', 'city')
  if state[1] == broker and state[2] == '1' then
    redis.call('HSET', presence, 'online', '0', 'lastSeen', now, 'offlineReason', reason, 'lastWill', '0')
    redis.call('SREM', online, id)
    redis.call('PUBLISH', channel, cjson.encode({ deviceId = id, city = state[3] or '', online = false, at = now,
      brokerId = broker, reason = reason, lastWill = false }))
    released = released + 1
  end
end
redis.call('DEL', mine)
redis.call('SREM', brokers, broker)
return released
`;
