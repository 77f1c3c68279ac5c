/** One batch's work, split by what may overlap with other batches and what may not. */
export interface PipelineStep {
  /** May run alongside other batches' steps (InfluxDB writes: identity is fixed, order is irrelevant). */
  concurrent: () => Promise<void>;
  /**
   * Runs only after the previous batch's `inOrder` settled (the rule feed: a device's readings must reach rules in
   * order).
   */
  inOrder: () => Promise<void>;
  /** Runs once both succeeded (acknowledging the batch); skipped if either failed, so the batch stays pending. */
  finish: () => Promise<void>;
  /** Runs last, whatever happened (the reader learns the batch is no longer in flight). */
  settled?: () => void;
}

/**
 * Keeps up to `maxInFlight` batches moving at once while handing their ordered parts on strictly
 * in the order they were read. One reader feeding this replaces several independent read loops,
 * which let two loops hand a device's consecutive readings to rule evaluation in either order.
 */
export class OrderedPipeline {
  private readonly inFlight = new Set<Promise<void>>();
  private orderedTail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly maxInFlight: number,
    private readonly onError: (err: unknown) => void,
  ) {
    if (maxInFlight < 1) throw new RangeError('maxInFlight must be at least 1');
  }

  /** Resolves once another batch may start. */
  async room(): Promise<void> {
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
  }

  /** Starts a batch (call `room()` first); failures go to `onError`, never to the caller. */
  start(step: PipelineStep): void {
    const concurrent = step.concurrent();
    // Chained on the previous batch's ordered part whether it succeeded or not: one failed
    // batch (left pending for redelivery) must not stall every batch after it.
    const ordered = this.orderedTail.then(step.inOrder);
    this.orderedTail = ordered.catch(() => undefined);
    const whole = Promise.all([concurrent, ordered])
      .then(step.finish)
      .catch(this.onError)
      .finally(() => {
        this.inFlight.delete(whole);
        step.settled?.();
      });
    this.inFlight.add(whole);
  }

  /** Waits for every started batch to settle. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  get size(): number {
    return this.inFlight.size;
  }
}
