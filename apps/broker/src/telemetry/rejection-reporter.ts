import type { Aedes } from 'aedes';
import { deviceTopic, type DeviceErrorMessage, type Rejection } from '@citypulse/contracts';
import type { DeadLetterStore } from '@citypulse/rejections';
import type { Logger, Metrics } from '@citypulse/observability';

/**
 * Tells a device why its readings were refused (on `devices/{id}/errors`), counts every
 * rejection by reason, and keeps the payload in the dead-letter store. Fire and forget: a
 * failure here is logged and never delays or fails the device's accepted readings.
 */
export class RejectionReporter {
  constructor(
    private readonly broker: () => Aedes,
    private readonly deadLetters: DeadLetterStore,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  report(
    deviceId: string,
    topic: string,
    receivedAtMs: number,
    accepted: number,
    rejected: Rejection[],
    payload: Buffer,
  ): void {
    for (const r of rejected) this.metrics.readingsRejected.inc({ reason: r.reason });
    const receivedAt = new Date(receivedAtMs).toISOString();
    const message: DeviceErrorMessage = { topic, receivedAt, accepted, rejected };
    this.broker().publish(
      {
        cmd: 'publish',
        topic: deviceTopic(deviceId, 'errors'),
        payload: Buffer.from(JSON.stringify(message)),
        qos: 1,
        retain: false,
        dup: false,
      },
      (err) => {
        if (err) this.logger.warn({ err, deviceId }, 'could not publish rejection to the device');
      },
    );
    this.deadLetters.add({ deviceId, topic, receivedAt, rejected }, payload).catch((err: Error) => {
      this.logger.warn({ err, deviceId }, 'could not store dead letter');
    });
  }
}
