/**
 * The hand-off partition of a device: FNV-1a (32 bit) of its id, modulo the partition count.
 * Stable across processes, restarts and Node versions (no seed, no platform hash), so every
 * broker puts a device's readings in the same stream and one ingest process reads them in order.
 */
export function partitionOf(deviceId: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`partitions must be a positive integer, got ${partitions}`);
  let hash = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    hash ^= deviceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
