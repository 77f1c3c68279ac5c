/**
 * Lua for the firmware catalogue: each script is one atomic step on keys of FirmwareKeys (one
 * hash tag), so an image can never be half added, nor deleted while someone marks it in use.
 */

/**
 * KEYS: image key, city index, all-images index, versions hash. ARGV: id, image JSON, version key,
 * upload time (ms). Returns '' when added, else the id of the image that already has this version.
 */
export const ADD_IMAGE = `
local existing = redis.call('HGET', KEYS[4], ARGV[3])
if existing then return existing end
redis.call('HSET', KEYS[4], ARGV[3], ARGV[1])
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return ''
`;

/**
 * KEYS: image key, city index, all-images index, versions hash, in-use set. ARGV: id, version key,
 * now (ms). Holders whose time has passed are dropped first. Returns {1} when deleted, {0} when
 * there is no such image, {2, holder…} when it is still in use (nothing changed).
 */
export const REMOVE_IMAGE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[3])
local holders = redis.call('ZRANGE', KEYS[5], 0, 9)
if #holders > 0 then
  table.insert(holders, 1, 2)
  return holders
end
redis.call('DEL', KEYS[1], KEYS[5])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('HGET', KEYS[4], ARGV[2]) == ARGV[1] then redis.call('HDEL', KEYS[4], ARGV[2]) end
return {1}
`;

/**
 * KEYS: image key, in-use set. ARGV: holder, until (ms, or '+inf'). Marks the image in use by the
 * holder unless the image is gone (returns 0), so a deletion and a mark cannot cross.
 */
export const MARK_IN_USE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
`;
