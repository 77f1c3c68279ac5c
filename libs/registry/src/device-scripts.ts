/**
 * Lua for the device store. Key names here must match RegistryKeys (`<tag>:device:<id>`,
 * `<tag>:idx:{all,city:<c>,site:<s>,type:<t>}`, `<tag>:cities`, presence keys, where `<tag>` is
 * the registry's hash tag `{<prefix>:reg}` passed as ARGV): scripts build per-device keys from
 * the tag because a bulk call touches thousands of them. Every key so built hashes to the slot of
 * the declared KEYS (same tag), which is what a Redis Cluster requires of a script.
 */

/**
 * KEYS: the all-devices index, the cities set (declared so a cluster runs the script on the
 * registry's slot). ARGV: registry tag, JSON array of device hashes. All or nothing: if any id exists, nothing is
 * written and the existing ids are returned; otherwise every device and its index entries are written in
 * this one atomic step (a crash cannot leave half a bulk call behind). Redis runs nothing else
 * meanwhile, so the work is batched: variadic EXISTS, one HSET per device, and one ZADD per
 * index for up to 500 members (10,000 devices: ~60 ms instead of ~185 ms with a ZADD per entry).
 */
export const CREATE_DEVICES = `
local prefix = ARGV[1]
local devices = cjson.decode(ARGV[2])
local keys = {}
for i, d in ipairs(devices) do keys[i] = prefix .. ':device:' .. d.id end
local found = 0
for i = 1, #keys, 1000 do found = found + redis.call('EXISTS', unpack(keys, i, math.min(i + 999, #keys))) end
if found > 0 then
  local existing = {}
  for i, d in ipairs(devices) do
    if redis.call('EXISTS', keys[i]) == 1 then existing[#existing + 1] = d.id end
  end
  return existing
end
local members = {}
local order = {}
local function index(key, id)
  local list = members[key]
  if not list then
    list = {}
    members[key] = list
    order[#order + 1] = key
  end
  list[#list + 1] = id
end
local cities = {}
for i, d in ipairs(devices) do
  local fields = {}
  for k, v in pairs(d) do
    fields[#fields + 1] = k
    fields[#fields + 1] = v
  end
  redis.call('HSET', keys[i], unpack(fields))
  index(prefix .. ':idx:all', d.id)
  index(prefix .. ':idx:city:' .. d.city, d.id)
  index(prefix .. ':idx:site:' .. d.site, d.id)
  index(prefix .. ':idx:type:' .. d.type, d.id)
  cities[d.city] = true
end
for _, key in ipairs(order) do
  local list = members[key]
  for i = 1, #list, 500 do
    local args = {}
    for j = i, math.min(i + 499, #list) do
      args[#args + 1] = 0
      args[#args + 1] = list[j]
    end
    redis.call('ZADD', key, unpack(args))
  end
end
for city in pairs(cities) do redis.call('SADD', prefix .. ':cities', city) end
return {}
`;

/**
 * KEYS: device hash, presence hash. ARGV: registry tag, id, city, site, name ('' = unchanged), control
 * channel. Moves the index entries of a changed city or site; returns the updated hash, or nil
 * for an unknown device.
 */
export const UPDATE_DEVICE = `
local key, presence = KEYS[1], KEYS[2]
local prefix, id, city, site, name, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if redis.call('HEXISTS', key, 'secretHash') == 0 then return nil end
local old = redis.call('HMGET', key, 'city', 'site')
if city ~= '' and city ~= old[1] then
  redis.call('ZREM', prefix .. ':idx:city:' .. old[1], id)
  redis.call('ZADD', prefix .. ':idx:city:' .. city, 0, id)
  redis.call('SADD', prefix .. ':cities', city)
  redis.call('HSET', key, 'city', city)
  if redis.call('EXISTS', presence) == 1 then redis.call('HSET', presence, 'city', city) end
end
if site ~= '' and site ~= old[2] then
  redis.call('ZREM', prefix .. ':idx:site:' .. old[2], id)
  redis.call('ZADD', prefix .. ':idx:site:' .. site, 0, id)
  redis.call('HSET', key, 'site', site)
end
if name ~= '' then redis.call('HSET', key, 'name', name) end
redis.call('PUBLISH', channel, cjson.encode({ kind = 'updated', deviceId = id }))
return redis.call('HGETALL', key)
`;

/**
 * KEYS: device hash. ARGV: new secret hash ('' to revoke instead), control channel. Rotating
 * issues a new secret and lifts a revocation; revoking keeps the hash but refuses it. Both bump
 * the credential version, which is what makes brokers drop cached verifications.
 */
export const CHANGE_CREDENTIALS = `
local key = KEYS[1]
local hash, channel = ARGV[1], ARGV[2]
if redis.call('HEXISTS', key, 'secretHash') == 0 then return nil end
local revoked = hash == ''
if revoked then
  redis.call('HSET', key, 'revoked', '1')
else
  redis.call('HSET', key, 'secretHash', hash, 'revoked', '0')
end
local version = redis.call('HINCRBY', key, 'credentialVersion', 1)
local id = redis.call('HGET', key, 'id')
redis.call('PUBLISH', channel,
  cjson.encode({ kind = 'credentials-changed', deviceId = id, credentialVersion = version, revoked = revoked }))
return redis.call('HGETALL', key)
`;

/** KEYS: device hash, presence hash. ARGV: registry tag, id, control channel. 1 if it existed. */
export const REMOVE_DEVICE = `
local key, presence = KEYS[1], KEYS[2]
local prefix, id, channel = ARGV[1], ARGV[2], ARGV[3]
local d = redis.call('HMGET', key, 'city', 'site', 'type', 'secretHash', 'firmwareVersion')
if not d[4] then return 0 end
if d[5] then redis.call('ZREM', prefix .. ':idx:fw:' .. d[5], id) end
redis.call('DEL', key)
redis.call('ZREM', prefix .. ':idx:all', id)
redis.call('ZREM', prefix .. ':idx:city:' .. d[1], id)
redis.call('ZREM', prefix .. ':idx:site:' .. d[2], id)
redis.call('ZREM', prefix .. ':idx:type:' .. d[3], id)
local broker = redis.call('HGET', presence, 'brokerId')
if broker then redis.call('SREM', prefix .. ':presence:broker:' .. broker, id) end
redis.call('DEL', presence)
redis.call('SREM', prefix .. ':presence:online', id)
redis.call('PUBLISH', channel, cjson.encode({ kind = 'deleted', deviceId = id }))
return 1
`;

/**
 * KEYS: device hash. ARGV: registry tag, id, firmware version, update progress JSON ('' = no step
 * reported). Moves the device between firmware-version indexes when the version changed; 0 for
 * an unknown device (deleted meanwhile), 1 otherwise.
 */
export const REPORT_FIRMWARE = `
local key = KEYS[1]
local prefix, id, version, progress = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HEXISTS', key, 'secretHash') == 0 then return 0 end
local old = redis.call('HGET', key, 'firmwareVersion')
if old ~= version then
  if old then redis.call('ZREM', prefix .. ':idx:fw:' .. old, id) end
  redis.call('ZADD', prefix .. ':idx:fw:' .. version, 0, id)
  redis.call('HSET', key, 'firmwareVersion', version)
end
if progress ~= '' then redis.call('HSET', key, 'firmwareUpdate', progress) end
return 1
`;
