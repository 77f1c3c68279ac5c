import type { Aedes } from 'aedes';
import { deviceTopic, type DeviceErrorMessage, type Rejection } from '@citypulse/contracts';
import type { DeadLetterStore } from '@citypulse/rejections';
import type { Logger, Metrics } from '@citypulse/observability';

/**
 * Answers a refused state message or command ack the way telemetry rejections are answered: the
 * reason on `devices/{id}/errors` (accepted 0), the payload in the dead-letter store, a counter
 * per topic kind and reason. Fire and forget: a failure here is logged, never fails the publish.
 */
export class DeviceMessageRejections {
  constructor(
    private readonly broker: () => Aedes,
    private readonly deadLetters: DeadLetterStore,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  report(deviceId: string, kind: 'state' | 'command-acks', payload: Buffer, rejected: Rejection[]): void {
    for (const r of rejected) this.metrics.deviceMessagesRejected.inc({ kind, reason: r.reason });
    const topic = deviceTopic(deviceId, kind);
    const receivedAt = new Date().toISOString();
    const message: DeviceErrorMessage = { topic, receivedAt, accepted: 0, rejected };
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
        if (err) this.logger.warn({ err, deviceId }, 'could not publish a rejection to the device');
      },
    );
    this.deadLetters
      .add({ deviceId, topic, receivedAt, rejected }, payload)
      .catch((err: Error) => this.logger.warn({ err, deviceId }, 'could not store dead letter'));
  }
}
