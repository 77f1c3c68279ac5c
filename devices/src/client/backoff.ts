export interface BackoffOptions {
  /** Ceiling of the first retry's delay. */
  initialMs: number;
  /** The ceiling never grows past this. */
  maxMs: number;
  /** Growth of the ceiling per failed attempt. */
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000, factor: 2 };

/**
 * How long to wait before reconnect attempt `attempt` (0 = the first retry): exponential with
 * "equal jitter" — uniformly between half the ceiling and the ceiling, where the ceiling is
 * initialMs · factor^attempt capped at maxMs. The jitter spreads a fleet that lost its broker at
 * the same instant over the window instead of having it return in one wave; the lower half keeps
 * each device from retrying in a tight loop.
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
