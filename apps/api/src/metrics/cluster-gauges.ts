import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS } from '@citypulse/core';
import { AlertStore } from '@citypulse/alert-store';
import { readHandoffDepth } from '@citypulse/handoff';
import { Metrics, type Logger } from '@citypulse/observability';
import { ApiQueues } from '../alerting/api-queues.js';
import { JOB_COUNT_STATES } from '../queues/queue-summary.js';
import { timeBound } from '../common/time-bound.js';

/** A scrape waits at most this long for one gauge's Redis reads. */
const COLLECT_MS = 1000;

/**
 * State the whole cluster shares in Redis — alerts by state, BullMQ queue depths, the hand-off
 * stream — read when /metrics is scraped. The api reports it (every api process the same
 * figures): workers would each report the same values again, to be deduplicated. A read that
 * fails or takes longer than COLLECT_MS leaves the family empty for that scrape rather than
 * showing a stale figure as current.
 */
@Injectable()
export class ClusterGauges {
  constructor(
    metrics: Metrics,
    queues: ApiQueues,
    store: AlertStore,
    @Inject(REDIS) redis: RedisClient,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    const registers = [metrics.registry];
    const log = logger.child({ component: 'metrics' });

    const alerts: Gauge = new Gauge({
      name: 'citypulse_alerts',
      help: 'Alerts in the alert store, by state (open, acknowledged, resolved)',
      labelNames: ['state'],
      registers,
      collect: () =>
        refresh(alerts, 'alerts', log, async () => {
          for (const [state, count] of Object.entries(await store.countByState())) alerts.set({ state }, count);
        }),
    });

    const jobs: Gauge = new Gauge({
      name: 'citypulse_queue_jobs',
      help: 'BullMQ jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers,
      collect: () =>
        refresh(jobs, 'queue_jobs', log, async () => {
          const all = [...queues.byName.values()];
          const counts = await Promise.all(all.map((queue) => queue.getJobCounts(...JOB_COUNT_STATES)));
          all.forEach((queue, i) => {
            for (const state of JOB_COUNT_STATES) jobs.set({ queue: queue.name, state }, counts[i][state] ?? 0);
          });
        }),
    });

    const handoffEntries: Gauge = new Gauge({
      name: 'citypulse_handoff_stream_entries',
      help:
        'Hand-off stream entries not yet acknowledged by ingest, by state (unread, pending: read by a worker, ' +
        'not yet stored)',
      labelNames: ['state'],
      registers,
      collect: () =>
        refresh(handoffEntries, 'handoff_stream', log, async () => {
          const depth = await readHandoffDepth(redis, config.redis.prefix, config.handoff.partitions);
          handoffEntries.set({ state: 'unread' }, Math.max(0, depth.entries - depth.pendingEntries));
          handoffEntries.set({ state: 'pending' }, depth.pendingEntries);
        }),
    });

    // Its own read: prom-client collects the families of a scrape concurrently.
    const handoffReadings: Gauge = new Gauge({
      name: 'citypulse_handoff_stream_readings',
      help:
        'Readings in the hand-off not yet stored in InfluxDB (read from Redis at scrape; the broker’s backlog ' +
        'gauge is as of its last append)',
      registers,
      collect: () =>
        refresh(handoffReadings, 'handoff_readings', log, async () => {
          handoffReadings.set((await readHandoffDepth(redis, config.redis.prefix, config.handoff.partitions)).readings);
        }),
    });
  }
}

async function refresh(gauge: Gauge, what: string, log: Logger, read: () => Promise<void>): Promise<void> {
  try {
    await timeBound(read(), COLLECT_MS, `reading ${what} for /metrics`);
  } catch (err) {
    gauge.reset();
    log.warn({ err, gauge: what }, 'a scrape-time metric could not be read; left out of this scrape');
  }
}
