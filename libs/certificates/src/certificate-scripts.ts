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
  if r.source == 'issued' and r.serial then redis.call('HSET', base .. ':serials:' .. r.city, r.serial, r.fingerprint) end
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
if r.source == 'issued' and r.serial then redis.call('ZADD', base .. ':revoked:' .. r.city, effectiveMs, r.serial) end
if effectiveMs <= nowMs then
  local event = { kind = 'certificate-revoked', deviceId = r.deviceId, fingerprint = fp }
  if r.serial then event.serial = r.serial end
  redis.call('PUBLISH', ARGV[6], cjson.encode(event))
end
return json
`;

/**
 * Forgets a deleted device's certificates. Issued serials stay revoked (from ARGV[3], ms), so a
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
    if r.source == 'issued' and r.serial then
      local revokedKey = base .. ':revoked:' .. r.city
      local at = redis.call('ZSCORE', revokedKey, r.serial)
      if not at or tonumber(at) > nowMs then redis.call('ZADD', revokedKey, nowMs, r.serial) end
      redis.call('HDEL', base .. ':serials:' .. r.city, r.serial)
    end
    redis.call('ZREM', base .. ':expiry:' .. r.city, fp)
    redis.call('DEL', base .. ':cert:' .. fp)
  end
  redis.call('HDEL', base .. ':owners', fp)
end
redis.call('DEL', setKey)
return #fps
`;
