/**
 * Applies a partial update to one side of a shadow (one Redis hash per device) and bumps that
 * side's version, atomically; optionally only if the version is still the one the caller read
 * (optimistic concurrency), and publishing the delivery notice together with the change, so a
 * desired change is never stored without the brokers hearing of it.
 *
 * Hash fields: `d:<key>` / `r:<key>` hold JSON values; desiredVersion, desiredAt, reportedVersion,
 * reportedAt. Values arrive as JSON text, so the script never decodes them (cjson would turn {} into []).
 *
 * KEYS: shadow hash. ARGV: side (d|r), expected version ('' = any), at, channel ('' = none), notice,
 * then key, json pairs (json '' = remove the key).
 * Returns {1, new version} or {0, current version} on a version mismatch.
 */
export const UPDATE_SHADOW = `
local h = KEYS[1]
local side, expected, at, channel, notice = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local versionField = side == 'd' and 'desiredVersion' or 'reportedVersion'
local atField = side == 'd' and 'desiredAt' or 'reportedAt'
local current = tonumber(redis.call('HGET', h, versionField) or '0')
if expected ~= '' and tonumber(expected) ~= current then return {0, current} end
for i = 6, #ARGV, 2 do
  local field = side .. ':' .. ARGV[i]
  if ARGV[i + 1] == '' then redis.call('HDEL', h, field) else redis.call('HSET', h, field, ARGV[i + 1]) end
end
local version = redis.call('HINCRBY', h, versionField, 1)
redis.call('HSET', h, atField, at)
if channel ~= '' then redis.call('PUBLISH', channel, notice) end
return {1, version}
`;
