import { metricTotal, scrapeMetrics, type Sample } from './metrics-scrape.js';

export interface DrainResult {
  /** Epoch ms when the service first reported stored ≥ target; undefined on timeout. */
  reachedAt?: number;
  stored: number;
  samples: Sample[];
}

/**
 * Polls the service's /metrics until `citypulse_readings_stored_total` reaches `target` (the
 * PUBACKed readings). The moment it does ends the end-to-end interval, to within `pollMs`; polling
 * faster would cost the service CPU it should spend draining.
 */
export async function waitForStored(
  metricsUrls: readonly string[],
  token: string,
  target: number,
  timeoutMs: number,
  pollMs = 100,
): Promise<DrainResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await scrapeMetrics(metricsUrls, token);
    const stored = metricTotal(samples, 'citypulse_readings_stored_total');
    if (stored >= target) return { reachedAt: Date.now(), stored, samples };
    if (Date.now() > deadline) return { stored, samples };
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
