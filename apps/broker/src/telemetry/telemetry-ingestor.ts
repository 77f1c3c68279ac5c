import type { HandoffProducer } from '@citypulse/handoff';
import { decodeTelemetry, type TelemetryLimits } from '@citypulse/devices';
import type { Metrics } from '@citypulse/observability';
import type { DeviceSession } from '../sessions.js';
import type { RejectionReporter } from './rejection-reporter.js';
import type { ReceiveClock } from './receive-clock.js';
import { toLines } from './to-lines.js';

export interface TelemetryIngestorDeps {
  handoff: HandoffProducer;
  rejections: RejectionReporter;
  clock: ReceiveClock;
  limits: Omit<TelemetryLimits, 'receivedAtMs'>;
  metrics: Metrics;
}

/**
 * The path of one telemetry publish inside the broker, as named steps:
 * decode → validate (both in `decodeTelemetry`) → enrich with the session's device and fix
 * identity (`toLines`) → hand off durably. Rejections are reported without holding up the good readings.
 */
export class TelemetryIngestor {
  constructor(private readonly deps: TelemetryIngestorDeps) {}

  async ingest(session: DeviceSession, topic: string, payload: Buffer): Promise<void> {
    const receivedAtMs = Date.now();
    const decoded = decodeTelemetry(payload, session.type, { ...this.deps.limits, receivedAtMs });
    if (decoded.rejected.length > 0) {
      this.deps.rejections.report(session.device.id, topic, receivedAtMs, decoded.accepted.length, decoded.rejected, payload);
    }
    if (decoded.accepted.length === 0) return;
    const lines = toLines(session, decoded.accepted, this.deps.clock);
    await this.deps.handoff.append(lines);
    this.deps.metrics.readingsAccepted.inc(lines.length);
  }
}
