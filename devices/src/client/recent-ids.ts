/**
 * The last `capacity` ids seen, oldest forgotten first: enough to act once on a command the broker
 * sends twice (QoS 1 redelivery after a reconnect), without remembering every command forever.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 1000) {}

  /** True the first time an id is seen (and records it); false for a repeat. */
  firstTime(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    // A Set iterates in insertion order: the first is the oldest.
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}
