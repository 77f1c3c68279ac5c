/**
 * A wait (linger, idle pause) set for a process holding every partition, for one holding `held` of
 * `partitions`: it sees about held/partitions of the readings, so it waits partitions/held times as
 * long, never less than `ms` nor more than `maxMs` (when `maxMs` is below `ms`, `ms`: no scaling).
 * Its batches then stay as large as one process's, and all processes together make as many reads
 * and writes per second as one would.
 */
export function scaledToShare(
  ms: number,
  { partitions, held, maxMs }: { partitions: number; held: number; maxMs: number },
): number {
  if (held <= 0 || maxMs <= ms) return ms;
  return Math.min(maxMs, (ms * partitions) / Math.min(held, partitions));
}
