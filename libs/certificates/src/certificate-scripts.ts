// Lua scripts of the certificate store. Each receives the key base `{<prefix>:certs}` (see
// certificate-keys.ts) as ARGV[1] and one key of that slot as KEYS[1], so a cluster routes it.

/**
 * Stores certificates, all or none. ARGV[2]: JSON array of CertificateRecord. Returns a JSON array
 * of the fingerprints that already exist (or whose issued serial does), and writes nothing then.
 */
export const ADD_CERTIFICATES = `
local base = ARGV[1]
local records = cjson.decode(ARGV[2])
local taken = {}
for _, r in ipairs(records) do
  local dup = redis.call('EXISTS', base .. ':cert:' .. r.fingerprint) == 1
  if not dup and r.source == 'issued' and r.serial then
    dup = redis.call('HEXISTS', base .. ':serials:' .. r.city, r.serial) == 1
  end
  if dup then taken[#taken + 1] = r.fingerprint end
end
if #taken > 0 then return cjson.encode(taken) end
for i, r in ipairs(records) do
  redis.call('SET', base .. ':cert:' .. r.fingerprint, cjson.encode(r))
  redis.call('SADD', base .. ':device:' .. r.deviceId, r.fingerprint)
  redis.call('SADD', base .. ':cities', r.city)
  if r.notAfter then redis.call('ZADD', base .. ':expiry:' .. r.city, tonumber(ARGV[2 + i]), r.fingerprint) end
  if r.source == 'issued' and r.serial then
    redis.call('HSET', base .. ':serials:' .. r.city, r.serial, r.fingerprint)
  end
  if r.source == 'registered' then redis.call('HSET', base .. ':owners', r.fingerprint, r.deviceId) end
end
return '[]'
`;

/**
 * Revokes one certificate from ARGV[4] (ISO; ARGV[3] the same in ms), never later than an
 * earlier revocation. ARGV[2]: fingerprint, ARGV[5]: now (ms), ARGV[6]: the registry's
 * device-control channel, told at once when the revocation is already in effect so brokers drop
 * a connection made with it. Returns the record's JSON, or nil when there is no such certificate.
 */
export const REVOKE_CERTIFICATE = `
local base, fp, effectiveMs, effective, nowMs = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local key = base .. ':cert:' .. fp
local json = redis.call('GET', key)
if not json then return nil end
local r = cjson.decode(json)
if r.revokedAt and r.revokedAt <= effective then return json end
r.revokedAt = effective
json = cjson.encode(r)
redis.call('SET', key, json)
redis.call('ZREM', base .. ':expiry:' .. r.city, fp)
if r.source == 'registered' then redis.call('HDEL', base .. ':owners', fp) end
-- A registered certificate with a serial may come from a configured CA too: the broker then asks by serial.
if r.serial then redis.call('ZADD', base .. ':revoked:' .. r.city, effectiveMs, r.serial) end
if effectiveMs <= nowMs then
  local event = { kind = 'certificate-revoked', deviceId = r.deviceId, fingerprint = fp }
  if r.serial then event.serial = r.serial end
  redis.call('PUBLISH', ARGV[6], cjson.encode(event))
end
return json
`;

/**
 * Forgets a deleted device's certificates. Their serials stay revoked (from ARGV[3], ms), so a
 * device later provisioned with the same id cannot log in with its predecessor's certificate.
 * ARGV[2]: device id. Returns how many certificates it had.
 */
export const REMOVE_DEVICE_CERTIFICATES = `
local base, deviceId, nowMs = ARGV[1], ARGV[2], tonumber(ARGV[3])
local setKey = base .. ':device:' .. deviceId
local fps = redis.call('SMEMBERS', setKey)
for _, fp in ipairs(fps) do
  local json = redis.call('GET', base .. ':cert:' .. fp)
  if json then
    local r = cjson.decode(json)
    if r.serial then
      local revokedKey = base .. ':revoked:' .. r.city
      local at = redis.call('ZSCORE', revokedKey, r.serial)
      if not at or tonumber(at) > nowMs then redis.call('ZADD', revokedKey, nowMs, r.serial) end
      if r.source == 'issued' then redis.call('HDEL', base .. ':serials:' .. r.city, r.serial) end
    end
    redis.call('ZREM', base .. ':expiry:' .. r.city, fp)
    redis.call('DEL', base .. ':cert:' .. fp)
  end
  redis.call('HDEL', base .. ':owners', fp)
end
redis.call('DEL', setKey)
return #fps
`;

/**
 * A device moved to another city: its certificates, their expiry entries and revoked serials
 * follow it, so a city's lists show only its devices and a revocation survives the move (under
 * one CA for every city the certificate stays valid). ARGV[2]: device id, ARGV[3]: the new city.
 * Returns how many certificates moved.
 */
export const MOVE_DEVICE_CERTIFICATES = `
local base, deviceId, city = ARGV[1], ARGV[2], ARGV[3]
local moved = 0
for _, fp in ipairs(redis.call('SMEMBERS', base .. ':device:' .. deviceId)) do
  local key = base .. ':cert:' .. fp
  local json = redis.call('GET', key)
  if json then
    local r = cjson.decode(json)
    local old = r.city
    if old ~= city then
      local expiry = redis.call('ZSCORE', base .. ':expiry:' .. old, fp)
      if expiry then
        redis.call('ZREM', base .. ':expiry:' .. old, fp)
        redis.call('ZADD', base .. ':expiry:' .. city, expiry, fp)
      end
      if r.serial then
        local at = redis.call('ZSCORE', base .. ':revoked:' .. old, r.serial)
        if at then
          redis.call('ZREM', base .. ':revoked:' .. old, r.serial)
          redis.call('ZADD', base .. ':revoked:' .. city, at, r.serial)
        end
        if r.source == 'issued' then
          redis.call('HDEL', base .. ':serials:' .. old, r.serial)
          redis.call('HSET', base .. ':serials:' .. city, r.serial, fp)
        end
      end
      r.city = city
      redis.call('SET', key, cjson.encode(r))
      redis.call('SADD', base .. ':cities', city)
      moved = moved + 1
    end
  end
end
return moved
`;
