import { Redis } from 'ioredis';
import { readHandoffDepth } from '@citypulse/handoff';
import { apiGet } from '../common/api-get.js';
import { metricTotal } from '../common/metrics-scrape.js';
import { readMemory } from '../common/proc-stats.js';
import { sampleProcess, type ProcessSample } from '../common/process-sample.js';
import type { ServiceProcess } from '../common/service-process.js';

export interface SoakProcessSample extends ProcessSample {
  rssMaxMb?: number;
}

export interface SoakSample {
  /** Seconds since the load started. */
  atS: number;
  readingsAcked: number;
  /** PUBACKed readings per second since the previous sample. */
  readingsPerSecond: number;
  /** citypulse_readings_stored_total of the ingest process. */
  stored: number;
  /**
   * Per process. `rssMb` here is the mean of RSS read once a second since the previous sample
   * (RSS saw-tooths with every GC: one reading a minute would be mostly noise), `rssMaxMb` the
   * highest of those readings; heap is the scrape's moment only.
   */
  processes: Record<string, SoakProcessSample>;
  /**
   * Entries in the hand-off stream (acknowledged ones are deleted, so this is the unstored rest), those read but not
   * yet acknowledged, and the readings they hold.
   */
  handoff: { streamEntries: number; pendingEntries: number; backlogReadings: number };
  /** BullMQ jobs waiting to run (waiting + prioritized + delayed), per queue. */
  queueDepths: Record<string, number>;
}

/**
 * What a soak looks at each minute, all read from outside the processes: /proc for RSS, each
 * process's /metrics for heap and event-loop lag, Redis for the hand-off stream, GET /queues for
 * BullMQ. Reading never changes the service (a scrape resets only the lag histogram, which is
 * what makes each sample's lag the lag of its own minute).
 */
export class SoakSampler {
  private readonly redis: Redis;
  private lastAcked = 0;
  private lastAtS = 0;
  /** RSS readings (KiB) per process since the last sample. */
  private rssKb = new Map<string, number[]>();
  private readonly rssTimer: NodeJS.Timeout;

  constructor(
    redisUrl: string,
    private readonly prefix: string,
    private readonly services: readonly ServiceProcess[],
    private readonly apiUrl: string,
    private readonly token: string,
    /** The services' CP_HANDOFF_PARTITIONS (they are passed the environment's CP_* variables). */
    private readonly partitions = Number(process.env.CP_HANDOFF_PARTITIONS ?? 16),
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    this.rssTimer = setInterval(() => {
      for (const service of services) {
        const memory = readMemory(service.pid);
        if (memory) this.rssKb.set(service.name, [...(this.rssKb.get(service.name) ?? []), memory.vmRssKb]);
      }
    }, 1000);
  }

  async sample(atS: number, readingsAcked: number): Promise<SoakSample> {
    let stored = 0;
    const perProcess = await Promise.all(
      this.services.map(async (service) => {
        const { sample, metrics } = await sampleProcess(service, this.token);
        if (metrics) stored += metricTotal(metrics, 'citypulse_readings_stored_total');
        const readings = this.rssKb.get(service.name) ?? [];
        this.rssKb.set(service.name, []);
        const perSecond: SoakProcessSample =
          readings.length === 0
            ? sample
            : {
                ...sample,
                rssMb: round(readings.reduce((a, b) => a + b, 0) / readings.length / 1024),
                rssMaxMb: round(Math.max(...readings) / 1024),
              };
        return [service.name, perSecond] as const;
      }),
    );
    // In the services' order, so every row and the JSON list the processes alike.
    const processes: Record<string, SoakProcessSample> = Object.fromEntries(perProcess);
    const depth = await readHandoffDepth(this.redis, this.prefix, this.partitions);
    const queues = await apiGet<{ items: Array<{ name: string; depth: number }> }>(
      this.apiUrl,
      this.token,
      '/queues',
    ).catch(() => ({ items: [] }));
    const readingsPerSecond =
      atS > this.lastAtS ? Math.round((readingsAcked - this.lastAcked) / (atS - this.lastAtS)) : 0;
    this.lastAcked = readingsAcked;
    this.lastAtS = atS;
    return {
      atS: Math.round(atS),
      readingsAcked,
      readingsPerSecond,
      stored,
      processes,
      handoff: { streamEntries: depth.entries, pendingEntries: depth.pendingEntries, backlogReadings: depth.readings },
      queueDepths: Object.fromEntries(queues.items.map((q) => [q.name, q.depth])),
    };
  }

  close(): void {
    clearInterval(this.rssTimer);
    this.redis.disconnect();
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
