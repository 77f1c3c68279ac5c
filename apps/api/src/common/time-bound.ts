/**
 * Rejects if `work` has not settled within `ms`. Probes and scrape-time collectors answer an
 * orchestrator or Prometheus that gives up after a few seconds: a dependency that hangs must
 * read as down, not hold the answer. The work itself is not cancelled, only no longer awaited.
 */
export function timeBound<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
