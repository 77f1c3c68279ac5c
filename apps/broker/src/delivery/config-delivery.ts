import type { Client } from 'aedes';
import { deviceTopic, type ConfigMessage } from '@citypulse/contracts';
import type { ShadowStore } from '@citypulse/shadow';
import type { Metrics } from '@citypulse/observability';

/**
 * Sends a device its whole desired configuration with the version, at every change and at every
 * subscribe: the shadow in Redis plays the part of a retained message, without depending on
 * which broker (or which broker's persistence) the device reconnects to.
 */
export class ConfigDelivery {
  constructor(
    private readonly shadows: ShadowStore,
    private readonly metrics: Metrics,
  ) {}

  async deliver(client: Client, deviceId: string): Promise<void> {
    const shadow = await this.shadows.get(deviceId);
    if (shadow.desiredVersion === 0) return;
    const message: ConfigMessage = {
      version: shadow.desiredVersion,
      desired: shadow.desired,
      at: shadow.desiredAt ?? new Date().toISOString(),
    };
    await new Promise<void>((resolve, reject) =>
      client.publish(
        {
          cmd: 'publish',
          topic: deviceTopic(deviceId, 'config'),
          payload: Buffer.from(JSON.stringify(message)),
          qos: 1,
          retain: false,
          dup: false,
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    this.metrics.deviceDeliveries.inc({ kind: 'config' });
  }
}
