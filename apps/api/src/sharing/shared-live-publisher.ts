import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS } from '@citypulse/core';
import { sharedLiveChannel, type SharedLiveMessage } from '@citypulse/contracts';
import { getDeviceType } from '@citypulse/devices';
import type { Logger } from '@citypulse/observability';
import {
  DistrictMap,
  ShareStore,
  isTotals,
  liveReceivers,
  type ShareAgreement,
  type TotalsGranularity,
} from '@citypulse/registry';
import { InfluxQueryClient } from '@citypulse/storage';
import { numericFieldsOf } from '../telemetry/numeric-fields.js';
import type { TimeWindow } from '../telemetry/interval.js';
import { toFieldSeries } from '../telemetry/telemetry-queries.js';
import { AGGREGATE_LOOKBACK_INTERVALS, RAW_LOOKBACK_MS, liveWindow } from './shared-live.js';
import { sharedRawQuery, sharedStatsQuery, toSharedReadings, type SharedScope } from './shared-telemetry-queries.js';
import { sharedTotals } from './shared-totals.js';

/**
 * Computes the live data of every accepted telemetry share someone listens to (an SSE stream or an
 * MQTT subscription, noted in Redis: ShareStore.noteListened) from the stored telemetry, once per
 * CP_SHARE_LIVE_TICK_MS, and publishes it on the shared live channel (read by the SSE streams and
 * the brokers' `shares/…` topics): for an aggregate-only share each closed interval's mean/min/max
 * (again when a late reading changes it), for a totals share each closed interval's per-site or
 * per-district totals (likewise; InfluxDB computes them, no reading leaves it), for a raw share
 * each new reading. A revoked or expired share is dropped at the next tick. One API process
 * publishes at a time (a lease in Redis), so several API processes send nothing twice.
 */
@Injectable()
export class SharedLivePublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log: Logger;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  /**
   * What was sent per stream item (an interval's values, or that a reading went out), kept while a lookback can see the
   * item.
   */
  private readonly sent = new Map<string, { value: string; keepUntilMs: number }>();

  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly influx: InfluxQueryClient,
    private readonly shares: ShareStore,
    private readonly districts: DistrictMap,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'shared-live-publisher' });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.ticking ??= this.tick()
        .catch((err: Error) => this.log.warn({ err }, 'live shared data not published this tick'))
        .finally(() => (this.ticking = undefined));
    }, this.config.sharing.liveTickMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  private async tick(): Promise<void> {
    if (!(await this.holdLease())) {
      // Another process publishes; should this one take over later, it starts afresh.
      this.sent.clear();
      return;
    }
    const nowMs = Date.now();
    const live = (await this.shares.list()).filter((s) => s.kind === undefined && liveReceivers(s, nowMs).length > 0);
    // Only what someone listens to (an SSE stream, an MQTT subscription, in any process) is worth computing.
    const listened = await this.shares.listened(live.map((s) => s.id));
    for (const share of live.filter((s) => listened.has(s.id))) {
      const window = liveWindow(share, nowMs);
      if (!window) continue;
      const g = share.granularity;
      for (const scope of scopesOf(share)) {
        const messages = window.raw
          ? await this.newReadings(share, scope, window.fromMs, window.toMs)
          : isTotals(g)
            ? await this.changedTotals(share, g, scope, window)
            : await this.changedIntervals(share, scope, window);
        for (const message of messages)
          await this.redis.publish(sharedLiveChannel(this.config.redis.prefix), JSON.stringify(message));
      }
    }
    this.prune(nowMs);
  }

  private async changedIntervals(
    share: ShareAgreement,
    scope: SharedScope,
    window: TimeWindow,
  ): Promise<SharedLiveMessage[]> {
    const [series] = toFieldSeries(
      [scope.field],
      await this.influx.series(sharedStatsQuery(scope, window), { epoch: 'ms' }),
    );
    const messages: SharedLiveMessage[] = [];
    for (const { time, mean, min, max } of series.points) {
      if (mean === null || min === null || max === null) continue;
      const key = `${share.id}/${scope.deviceType}/${scope.field}@${time}`;
      const value = `${mean},${min},${max}`;
      if (this.sent.get(key)?.value === value) continue;
      this.sent.set(key, {
        value,
        keepUntilMs: Date.parse(time) + (AGGREGATE_LOOKBACK_INTERVALS + 1) * window.everyMs,
      });
      messages.push({
        kind: 'aggregate',
        ...about(share, scope),
        every: window.every,
        point: { time, mean, min, max },
      });
    }
    return messages;
  }

  /**
   * A totals share's per-site (per-district) totals of the closed intervals looked at, each sent when new or changed.
   */
  private async changedTotals(
    share: ShareAgreement,
    granularity: TotalsGranularity,
    scope: SharedScope,
    window: TimeWindow,
  ): Promise<SharedLiveMessage[]> {
    const by = granularity.kind === 'site-totals' ? 'site' : 'district';
    const deps = { influx: this.influx, districts: this.districts };
    const totals = (await sharedTotals(deps, granularity, scope, window)).filter((total) => {
      const group = 'site' in total ? total.site : total.district;
      const key = `${share.id}/${scope.deviceType}/${scope.field}/${by}:${group}@${total.time}`;
      const value = `${total.sum},${total.devices}`;
      if (this.sent.get(key)?.value === value) return false;
      this.sent.set(key, {
        value,
        keepUntilMs: Date.parse(total.time) + (AGGREGATE_LOOKBACK_INTERVALS + 1) * window.everyMs,
      });
      return true;
    });
    return totals.length === 0 ? [] : [{ kind: 'totals', ...about(share, scope), every: window.every, by, totals }];
  }

  private async newReadings(
    share: ShareAgreement,
    scope: SharedScope,
    fromMs: number,
    toMs: number,
  ): Promise<SharedLiveMessage[]> {
    const readings = toSharedReadings(
      scope.field,
      await this.influx.series(sharedRawQuery(scope, fromMs, toMs), { epoch: 'ms' }),
    ).filter((r) => {
      const key = `${share.id}/${scope.deviceType}/${scope.field}/${r.deviceId}@${r.time}`;
      if (this.sent.has(key)) return false;
      this.sent.set(key, { value: '', keepUntilMs: Date.parse(r.time) + RAW_LOOKBACK_MS + 60_000 });
      return true;
    });
    return readings.length === 0 ? [] : [{ kind: 'readings', ...about(share, scope), readings }];
  }

  /** Items past every lookback are never looked at again. */
  private prune(nowMs: number): void {
    for (const [key, { keepUntilMs }] of this.sent) if (keepUntilMs < nowMs) this.sent.delete(key);
  }

  /** Takes or renews the publisher lease (three ticks long): true when this process publishes. */
  private async holdLease(): Promise<boolean> {
    const key = `${this.config.redis.prefix}:shares:publisher`;
    const leaseMs = Math.max(1000, 3 * this.config.sharing.liveTickMs);
    if ((await this.redis.set(key, this.config.instanceId, 'PX', leaseMs, 'NX')) === 'OK') return true;
    if ((await this.redis.get(key)) !== this.config.instanceId) return false;
    await this.redis.pexpire(key, leaseMs);
    return true;
  }
}

/** What every live message of the share's scope says it is about: its source and its field. */
function about(share: ShareAgreement, scope: SharedScope) {
  return { source: { city: share.fromCity, share: share.id }, deviceType: scope.deviceType, field: scope.field };
}

/** Each shared (device type, numeric field) of the share, over its sites. */
function scopesOf(share: ShareAgreement): SharedScope[] {
  return share.deviceTypes.flatMap((name) => {
    const type = getDeviceType(name);
    if (!type) return [];
    return numericFieldsOf(type)
      .filter((field) => share.fields.includes(field))
      .map((field) => ({
        city: share.fromCity,
        deviceType: name,
        measurement: type.measurement,
        field,
        ...(share.sites && { sites: share.sites }),
      }));
  });
}
