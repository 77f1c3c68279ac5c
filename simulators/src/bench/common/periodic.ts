/**
 * Runs `task` every `intervalMs` from now (chained, so a slow task never overlaps the next) until
 * `stop()`, which also cuts the wait short: a bench must not sit out a whole interval after its
 * load has ended. `stop()` resolves once the task under way, if any, has finished.
 */
export function every(intervalMs: number, task: () => Promise<void>): { stop: () => Promise<void> } {
  const startedAt = performance.now();
  let stopped = false;
  let wake: () => void = () => undefined;
  const loop = (async () => {
    for (let next = intervalMs; !stopped; next += intervalMs) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(0, next - (performance.now() - startedAt)));
      });
      if (stopped) break;
      await task();
    }
  })();
  return {
    stop: () => {
      stopped = true;
      wake();
      return loop;
    },
  };
}
