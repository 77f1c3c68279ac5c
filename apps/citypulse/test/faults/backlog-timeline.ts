/** One reading of the hand-off backlog; `readings` undefined while Redis did not answer. */
export interface BacklogSample {
  atMs: number;
  readings: number | undefined;
}

export interface DrainFigures {
  /** Largest backlog seen from the fault on. */
  peakReadings: number;
  /**
   * From the moment the failed part was back until the backlog was down to its normal level; undefined if it never was.
   */
  drainMs: number | undefined;
}

/**
 * How long the pipeline took to catch up after a fault. "Normal" is what the backlog looked like
 * before the fault under the same load (readings linger there for a moment even when all is
 * well), with at least `floorReadings` of slack so a busy instant does not count as a backlog.
 */
export function drainFigures(
  samples: BacklogSample[],
  faultAtMs: number,
  restoredAtMs: number,
  floorReadings: number,
): DrainFigures {
  const known = samples.filter((s): s is { atMs: number; readings: number } => s.readings !== undefined);
  const before = known.filter((s) => s.atMs < faultAtMs).map((s) => s.readings);
  const normal = Math.max(floorReadings, 2 * Math.max(0, ...before));
  const after = known.filter((s) => s.atMs >= faultAtMs);
  const peakReadings = Math.max(0, ...after.map((s) => s.readings));
  const drained = after.find((s) => s.atMs >= restoredAtMs && s.readings <= normal);
  return { peakReadings, drainMs: drained ? drained.atMs - restoredAtMs : undefined };
}

/** Samples the backlog every `intervalMs` until stopped. */
export class BacklogRecorder {
  readonly samples: BacklogSample[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight = false;

  constructor(private readonly read: () => Promise<number | undefined>) {}

  start(intervalMs = 100): void {
    this.timer = setInterval(() => {
      if (this.inFlight) return;
      this.inFlight = true;
      const atMs = Date.now();
      void this.read()
        .then(
          (readings) => this.samples.push({ atMs, readings }),
          () => this.samples.push({ atMs, readings: undefined }),
        )
        .finally(() => (this.inFlight = false));
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
