/** The most partitions one of `live` ingest processes should hold: ceil(P / live). */
export function fairShare(partitions: number, live: number): number {
  return Math.ceil(partitions / Math.max(1, live));
}

/** The partitions to give up when holding more than the fair share: the highest-numbered extras. */
export function partitionsToRelease(owned: Iterable<number>, share: number): number[] {
  const sorted = [...owned].sort((a, b) => a - b);
  return sorted.slice(share).reverse();
}

/**
 * The partitions worth trying to take, best first, when holding fewer than the fair share:
 * those with no holder, or held by an earlier run of this instance (`ownerPrefix`), in an order
 * rotated by `startAt` so processes joining at once try different ones first.
 */
export function partitionsToTry(
  holders: ReadonlyArray<string | null>,
  owned: ReadonlySet<number>,
  need: number,
  startAt: number,
  ownerPrefix: string,
): number[] {
  if (need <= 0) return [];
  const candidates: number[] = [];
  for (let k = 0; k < holders.length && candidates.length < need; k++) {
    const p = (startAt + k) % holders.length;
    const holder = holders[p];
    if (owned.has(p)) continue;
    if (holder === null || holder.startsWith(ownerPrefix)) candidates.push(p);
  }
  return candidates;
}

/** Where an instance starts looking for free partitions: a stable spread of its id over 0..P-1. */
export function startingPartition(instanceId: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < instanceId.length; i++) hash = (Math.imul(hash, 31) + instanceId.charCodeAt(i)) | 0;
  return (hash >>> 0) % partitions;
}
