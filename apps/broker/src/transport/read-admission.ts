import type { Client } from 'aedes';
import { clientInternals } from '../aedes/internals.js';
import { wrapClientParse } from '../aedes/patches.js';

/**
 * A cap on the telemetry readings the broker holds at once, all connections together, between
 * parsing them and their PUBACK. Why: aedes parses whatever a connection has sent as soon as it
 * can, so under load every publish a device has in flight waits in the broker's heap, parsed,
 * for its turn at the hand-off — long enough to outlive young-generation collections, which
 * then copy and promote them (measured: most of the broker's GC time per reading). With the
 * cap, a connection whose next bytes arrive while the broker is full is paused and its bytes
 * wait unparsed in its socket (TCP back-pressure to the device), so what is parsed is handed off
 * and acknowledged soon after. Paused connections resume first come, first served.
 *
 * Readings wait here only between decode and the end of their hand-off: a city held back by its
 * rate limit lets go of its share before it waits, so one city's throttling never stalls another's.
 */
export class ReadAdmission {
  private held = 0;
  /** Paused connections' resumes, first come first served: `waiting[next]` is the next. */
  private waiting: Array<() => void> = [];
  private next = 0;

  constructor(
    readonly maxReadings: number,
    private readonly onPause: () => void = () => undefined,
  ) {}

  get full(): boolean {
    return this.held >= this.maxReadings;
  }

  /** Counts `readings` as held until the returned release is called (again: no effect). */
  hold(readings: number): () => void {
    this.held += readings;
    let held = readings;
    return () => {
      this.release(held);
      held = 0;
    };
  }

  private release(readings: number): void {
    if (readings === 0) return;
    this.held -= readings;
    // A resumed connection parses at once, holding its readings, so `full` is asked again each time.
    while (!this.full && this.next < this.waiting.length) {
      const resume = this.waiting[this.next++];
      if (this.next === this.waiting.length) {
        this.waiting = [];
        this.next = 0;
      }
      resume();
    }
  }

  /** How many connections wait for room. */
  get waitingConnections(): number {
    return this.waiting.length - this.next;
  }

  /** `resume` runs once there is room, after every connection that waited before it. */
  wait(resume: () => void): void {
    this.waiting.push(resume);
  }

  /**
   * Puts the cap in front of a client's parser: a chunk read while the broker is full goes back
   * into the connection unparsed and the client pauses until there is room.
   */
  admit(client: Client): void {
    const internals = clientInternals(client);
    wrapClientParse(client, (parse) => (chunk) => {
      if (!this.full) return parse(chunk);
      client.conn.unshift(chunk);
      internals.pause();
      this.onPause();
      this.wait(() => internals.resume());
      return 0;
    });
  }
}
