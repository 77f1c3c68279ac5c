import { Redis } from 'ioredis';
import { DeviceRegistry } from '@citypulse/registry';
import { LastSeenIndex } from '@citypulse/alert-store';
import { apiGet } from '../common/api-get.js';
import { histogramBuckets, scrapeMetrics, type Sample } from '../common/metrics-scrape.js';

export interface DeadmanScaleResult {
  devices: number;
  intervalMs: number;
  /** Seeding done → every silent device has its deadman alert (includes waiting for the next tick). */
  allRaisedAfterS?: number;
  raised: number;
  /** Steady state, every device firing and re-checked each tick: check-job seconds per second of wall time. */
  checkBusyFraction: number;
  checkJobs: number;
  checkJobMeanMs: number;
  /** Deepest alert-checks backlog sampled once a second in steady state: bounded = not falling behind. */
  maxQueueDepth: number;
}

const DEADMAN_TYPE = 'env-sensor';
/** Synthetic devices never connect: a trivially cheap secret hash keeps seeding 50,000 quick. */
const SYNTHETIC_SCRYPT = { N: 16, r: 1, p: 1 };

/**
 * The deadman check at fleet scale: seeds `count` env sensors that last reported an hour ago
 * (the worst case: all silent at once), then measures how long the scheduled check takes to raise
 * every deadman alert, and how much work the re-checks cost per interval once all are firing.
 */
export async function measureDeadmanScale(o: {
  redisUrl: string;
  prefix: string;
  apiUrl: string;
  metricsUrls: string[];
  token: string;
  count: number;
  intervalMs: number;
  timeoutS: number;
  log: (l: string) => void;
}): Promise<DeadmanScaleResult> {
  const redis = new Redis(o.redisUrl);
  try {
    const registry = new DeviceRegistry(redis, o.prefix);
    const lastSeen = new LastSeenIndex(redis, o.prefix);
    const cities = ['beijing', 'tianjin', 'shijiazhuang'];
    const width = String(o.count).length;
    const ids = Array.from({ length: o.count }, (_, i) => `dm-${String(i + 1).padStart(width, '0')}`);
    for (let i = 0; i < ids.length; i += 5000) {
      const chunk = ids
        .slice(i, i + 5000)
        .map((id, k) => ({ id, type: DEADMAN_TYPE, city: cities[(i + k) % 3], site: `${cities[(i + k) % 3]}-dm` }));
      await registry.provisionMany(chunk, SYNTHETIC_SCRYPT);
      await lastSeen.touch(chunk.map((d) => ({ deviceId: d.id, newestMs: Date.now() - 3_600_000 })));
    }
    o.log(
      `deadman: ${o.count} silent ${DEADMAN_TYPE} devices seeded; waiting for the scheduled check ` +
        `(every ${o.intervalMs} ms) to raise them`,
    );

    const seededAt = Date.now();
    const total = async () =>
      (await apiGet<{ total: number }>(o.apiUrl, o.token, `/alerts?ruleId=${DEADMAN_TYPE}.no-data&limit=1`)).total;
    let raised = 0;
    let allRaisedAfterS: number | undefined;
    while (Date.now() - seededAt < o.timeoutS * 1000) {
      raised = await total();
      if (raised >= o.count) {
        allRaisedAfterS = (Date.now() - seededAt) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    o.log(
      `deadman: ${raised} of ${o.count} ` +
        `raised${allRaisedAfterS ? ` after ${allRaisedAfterS.toFixed(1)} s` : ' (timed out)'}; measuring ` +
        `steady-state re-checks for ${(3 * o.intervalMs) / 1000} s`,
    );

    const before = checkTotals(await scrapeMetrics(o.metricsUrls, o.token));
    const started = Date.now();
    let maxQueueDepth = 0;
    while (Date.now() - started < 3 * o.intervalMs) {
      const queue = await apiGet<{ depth: number; counts: { active: number } }>(
        o.apiUrl,
        o.token,
        '/queues/alert-checks',
      );
      maxQueueDepth = Math.max(maxQueueDepth, queue.depth);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const after = checkTotals(await scrapeMetrics(o.metricsUrls, o.token));
    const jobs = after.count - before.count;
    return {
      devices: o.count,
      intervalMs: o.intervalMs,
      allRaisedAfterS,
      raised,
      checkBusyFraction: Math.round(((after.sum - before.sum) / ((Date.now() - started) / 1000)) * 1000) / 1000,
      checkJobs: jobs,
      checkJobMeanMs: jobs > 0 ? Math.round(((after.sum - before.sum) / jobs) * 1000) : 0,
      maxQueueDepth,
    };
  } finally {
    redis.disconnect();
  }
}

function checkTotals(samples: Sample[]): { sum: number; count: number } {
  const sum = samples.filter((s) => s.name === 'citypulse_deadman_check_seconds_sum').reduce((a, s) => a + s.value, 0);
  const buckets = histogramBuckets(samples, 'citypulse_deadman_check_seconds');
  return { sum, count: buckets.length > 0 ? buckets[buckets.length - 1].count : 0 };
}
