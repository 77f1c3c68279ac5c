/**
 * Key layout on a Redis Cluster.
 *
 * A cluster stores each key on the shard that owns its hash slot, and a transaction (MULTI),
 * a Lua script or a multi-key command (ZUNIONSTORE, SUNION, RENAME…) must touch keys of one
 * slot only — the cluster answers CROSSSLOT otherwise. Redis hashes only the part of a key
 * between the first `{` and the next `}` (its hash tag) when there is one, so:
 *
 * - every key a script, transaction or multi-key command touches together carries the SAME tag,
 *   `{<prefix>:<group>}` — built by `slotTag` — e.g. all registry keys `{cp:reg}:…`;
 * - key groups that are never touched together get DIFFERENT tags, so they spread over shards
 *   (never put everything under one tag: that is one shard doing all the work);
 * - per-entity groups (one device's shadow, one device's commands) tag by the entity, e.g.
 *   `{cp:cmd:<deviceId>}`, which spreads them evenly over all shards.
 *
 * On a single Redis the tags are ordinary key characters: the same layout works unchanged.
 */
export function slotTag(prefix: string, group: string): string {
  return `{${prefix}:${group}}`;
}
