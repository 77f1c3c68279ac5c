import { OfflineBuffer } from './offline-buffer.js';

/** Items handed to MQTT together (one PUBLISH), waiting for their PUBACK. */
export interface Batch<T> {
  id: number;
  items: T[];
}

/**
 * What a device has to send and has not had acknowledged: a bounded buffer of items not sent yet,
 * and at most `maxInFlight` batches of up to `maxBatch` items published and awaiting their PUBACK.
 * When the connection drops, the in-flight batches go back to the front of the buffer, so nothing
 * unacknowledged is lost across reconnects (it may be sent twice — QoS 1 is at least once).
 */
export class Outbox<T> {
  private readonly buffer: OfflineBuffer<T>;
  private readonly inFlight = new Map<number, Batch<T>>();
  private nextId = 1;

  constructor(
    capacity: number,
    private readonly maxInFlight: number,
    private readonly maxBatch: number,
  ) {
    this.buffer = new OfflineBuffer<T>(capacity);
  }

  /** Queues an item; returns how many old items were dropped to make room. */
  add(item: T): number {
    return this.buffer.push(item);
  }

  /** The next batch to publish, if the window allows one and anything is waiting. */
  next(): Batch<T> | undefined {
    if (this.inFlight.size >= this.maxInFlight || this.buffer.length === 0) return undefined;
    const batch = { id: this.nextId++, items: this.buffer.take(this.maxBatch) };
    this.inFlight.set(batch.id, batch);
    return batch;
  }

  /** Its PUBACK arrived: the batch is done. Returns its items (none if it was already given back). */
  acknowledged(id: number): T[] {
    const batch = this.inFlight.get(id);
    this.inFlight.delete(id);
    return batch?.items ?? [];
  }

  /**
   * The connection dropped: every unacknowledged batch goes back to the front, oldest first. Returns how many items
   * were dropped to fit.
   */
  connectionLost(): number {
    const pending = [...this.inFlight.values()].sort((a, b) => a.id - b.id).flatMap((b) => b.items);
    this.inFlight.clear();
    return this.buffer.returnToFront(pending);
  }

  get queued(): number {
    return this.buffer.length;
  }

  get inFlightItems(): number {
    let n = 0;
    for (const batch of this.inFlight.values()) n += batch.items.length;
    return n;
  }

  get dropped(): number {
    return this.buffer.dropped;
  }

  get isEmpty(): boolean {
    return this.buffer.length === 0 && this.inFlight.size === 0;
  }
}
