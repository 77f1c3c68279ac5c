import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic, type DeviceErrorMessage } from '@citypulse/contracts';

export interface LinkOptions {
  mqttUrl: string;
  deviceId: string;
  secret: string;
  /** Every message the broker sends on the device's error topic. */
  onErrors: (message: DeviceErrorMessage) => void;
}

/**
 * One simulated device's MQTT connection, as the firmware contract asks (devices/README.md):
 * client id = username = device id, MQTT 3.1.1, QoS 1, subscribed to its own error topic.
 */
export class DeviceLink {
  reconnects = 0;

  private constructor(
    private readonly options: LinkOptions,
    private client: MqttClient,
  ) {}

  static async open(options: LinkOptions): Promise<DeviceLink> {
    return new DeviceLink(options, await DeviceLink.connect(options));
  }

  private static async connect(options: LinkOptions): Promise<MqttClient> {
    const client = await mqtt.connectAsync(options.mqttUrl, {
      clientId: options.deviceId,
      username: options.deviceId,
      password: options.secret,
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      reconnectPeriod: 1000,
      connectTimeout: 15_000,
    });
    (client.stream as unknown as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    client.on('message', (_topic, payload) => {
      try {
        options.onErrors(JSON.parse(payload.toString()) as DeviceErrorMessage);
      } catch {
        // Not ours to judge: the error topic carries JSON from the broker.
      }
    });
    await client.subscribeAsync(deviceTopic(options.deviceId, 'errors'), { qos: 1 });
    // A clean session forgets the subscription across an automatic reconnect: take it again.
    client.on(
      'connect',
      () => void client.subscribeAsync(deviceTopic(options.deviceId, 'errors'), { qos: 1 }).catch(() => undefined),
    );
    return client;
  }

  /** Publishes telemetry with QoS 1; resolves on PUBACK. */
  async publish(payload: string): Promise<void> {
    await this.client.publishAsync(deviceTopic(this.options.deviceId, 'telemetry'), payload, { qos: 1 });
  }

  /** Drops the connection and opens a new one, as a device does after a network blip. */
  async reconnect(): Promise<void> {
    await this.client.endAsync();
    this.client = await DeviceLink.connect(this.options);
    this.reconnects++;
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
