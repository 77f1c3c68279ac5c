import { setTimeout as sleep } from 'node:timers/promises';
import type { Rejection } from '@citypulse/contracts';
import type { HandoffProducer } from '@citypulse/handoff';
import { decodeTelemetry, type TelemetryLimits } from '@citypulse/devices';
import type { Metrics } from '@citypulse/observability';
import type { DeviceSession } from '../sessions.js';
import type { CityRateLimiter } from './city-rate-limiter.js';
import type { RejectionReporter } from './rejection-reporter.js';
import type { ReceiveClock } from './receive-clock.js';
import type { ReadAdmission } from '../transport/read-admission.js';
import { toHandoffPublish } from './to-handoff-publish.js';

export interface TelemetryIngestorDeps {
  handoff: HandoffProducer;
  rejections: RejectionReporter;
  clock: ReceiveClock;
  limits: Omit<TelemetryLimits, 'receivedAtMs'>;
  metrics: Metrics;
  cityRate: CityRateLimiter;
  admission: ReadAdmission;
}

/**
 * The path of one telemetry publish inside the broker, as named steps:
 * decode → validate (both in `decodeTelemetry`) → city rate (hold back or shed) → enrich with the
 * session's device and fix identity (`toHandoffPublish`: lines and rule feed) → hand off durably. Rejections are
 * reported without holding up the good readings. The accepted readings count against the broker's
 * read admission until they are handed off, or until they start waiting out their city's rate.
 */
export class TelemetryIngestor {
  constructor(private readonly deps: TelemetryIngestorDeps) {}

  async ingest(session: DeviceSession, topic: string, payload: Buffer): Promise<void> {
    const receivedAtMs = Date.now();
    const decoded = decodeTelemetry(payload, session.type, { ...this.deps.limits, receivedAtMs });
    const release = this.deps.admission.hold(decoded.accepted.length);
    try {
      let accepted = decoded.accepted;
      let rejected: Rejection[] = decoded.rejected;
      const city = session.device.city;
      const rate =
        accepted.length > 0
          ? (this.deps.cityRate.decideNow(city, accepted.length) ??
            (await this.deps.cityRate.take(city, accepted.length)))
          : ({ kind: 'now' } as const);
      if (rate.kind === 'shed') {
        this.deps.metrics.cityRateLimited.inc({ city, outcome: 'shed' }, accepted.length);
        const detail =
          `city ${city} is over its ${rate.readingsPerS} readings/s: ${accepted.length} reading(s) not stored; ` +
          `resend later, more slowly or in smaller batches`;
        rejected = [...rejected, { reason: 'city_rate_limited', detail }];
        accepted = [];
      }
      if (rejected.length > 0)
        this.deps.rejections.report(session.device.id, topic, receivedAtMs, accepted.length, rejected, payload);
      if (accepted.length === 0) return;
      if (rate.kind === 'hold') {
        this.deps.metrics.cityRateLimited.inc({ city, outcome: 'held' }, accepted.length);
        // Back-pressure: aedes reads nothing more from this connection until the PUBACK goes out.
        // The wait is this city's own: its readings stop taking room other cities' connections need.
        release();
        await sleep(rate.holdMs);
      }
      const { lines, ruleFeed } = toHandoffPublish(session, accepted, this.deps.clock);
      await this.deps.handoff.append(session.device.id, lines, ruleFeed);
      this.deps.metrics.readingsAccepted.inc(lines.length);
    } finally {
      release();
    }
  }
}
