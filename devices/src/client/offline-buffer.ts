/**
 * A bounded FIFO that drops its oldest items when full and counts what it dropped (telegraf's
 * metric buffer): a device offline for long keeps its most recent readings, and memory stays
 * bounded. The count is the device's record of what never left it.
 */
export class OfflineBuffer<T> {
  private items: T[] = [];
  private head = 0;
  private droppedTotal = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error('an offline buffer needs room for at least one item');
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Items dropped since creation, because the buffer was full. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /** Appends; returns how many old items were dropped to make room (0 or 1). */
  push(item: T): number {
    this.items.push(item);
    return this.trim();
  }

  /** Removes and returns up to `max` items from the front (oldest first). */
  take(max: number): T[] {
    const taken = this.items.slice(this.head, this.head + max);
    this.head += taken.length;
    this.compact();
    return taken;
  }

  /**
   * Puts items taken earlier back at the front, in their order (they were sent but not acknowledged). Returns how many
   * were dropped to fit.
   */
  returnToFront(items: readonly T[]): number {
    if (items.length === 0) return 0;
    this.items = [...items, ...this.items.slice(this.head)];
    this.head = 0;
    return this.trim();
  }

  private trim(): number {
    const excess = this.length - this.capacity;
    if (excess <= 0) return 0;
    this.head += excess;
    this.droppedTotal += excess;
    this.compact();
    return excess;
  }

  /** Reclaims the consumed prefix once it is at least half the array, keeping take() O(1) amortised. */
  private compact(): void {
    if (this.head > 0 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
