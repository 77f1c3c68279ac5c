import { metricTotal, scrapeMetrics, type Sample } from './metrics-scrape.js';
import { readMemory } from './proc-stats.js';
import type { ServiceProcess } from './service-process.js';

export interface ProcessSample {
  rssMb?: number;
  heapUsedMb?: number;
  /**
   * Event-loop delay since the previous scrape (prom-client resets its histogram on every scrape), 10 ms resolution.
   */
  lagP99Ms?: number;
  lagMaxMs?: number;
}

/**
 * A citypulse process seen from outside: RSS from /proc, heap and event-loop lag from its own
 * /metrics. The parsed metrics come back too, for the caller's own counters; none when the
 * process could not answer within the scrape timeout (a gap in the figures says as much).
 */
export async function sampleProcess(
  service: ServiceProcess,
  token: string,
): Promise<{ sample: ProcessSample; metrics?: Sample[] }> {
  const memory = readMemory(service.pid);
  const sample: ProcessSample = { rssMb: memory ? round(memory.vmRssKb / 1024) : undefined };
  try {
    const metrics = await scrapeMetrics([service.metricsUrl], token);
    sample.heapUsedMb = round(metricTotal(metrics, 'nodejs_heap_size_used_bytes') / 2 ** 20);
    sample.lagP99Ms = round(metricTotal(metrics, 'nodejs_eventloop_lag_p99_seconds') * 1000);
    sample.lagMaxMs = round(metricTotal(metrics, 'nodejs_eventloop_lag_max_seconds') * 1000);
    return { sample, metrics };
  } catch {
    return { sample };
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
