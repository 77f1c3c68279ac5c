import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';

export interface PublishingDevice {
  id: string;
  secret: string;
}

/**
 * Devices publishing QoS 1 telemetry steadily through whatever happens to the service, each
 * reading with its own timestamp (its identity), and remembering exactly which were PUBACKed:
 * the promise under test is that every PUBACKed reading ends up stored.
 */
export class SteadyPublisher {
  private readonly clients: MqttClient[] = [];
  private timer?: NodeJS.Timeout;
  private readonly pending = new Set<Promise<void>>();
  private readonly baseTs = Date.now() - 60_000;
  private sequence = 0;
  sent = 0;
  readonly acked = new Set<string>();
  /** Connection errors seen (refused CONNECTs while the service is down, closed sockets…). */
  readonly errors: string[] = [];

  constructor(
    private readonly mqttUrl: string,
    private readonly devices: PublishingDevice[],
    /** The values of the next reading of a device. */
    private readonly values: (deviceId: string) => Record<string, number>,
  ) {}

  async connect(): Promise<void> {
    for (const d of this.devices) {
      const client = await mqtt.connectAsync(this.mqttUrl, {
        clientId: d.id,
        username: d.id,
        password: d.secret,
        protocolVersion: 4,
        // A persistent session and quick reconnects: what well-behaved firmware does.
        clean: false,
        reconnectPeriod: 200,
        // CONNACK 3 (server unavailable, e.g. Redis restarting) is temporary: try again.
        reconnectOnConnackError: true,
        // The first CONNECT verifies the secret (scrypt) on a broker that may be busy: under a loaded
        // machine that took over 2 s. Reconnects after a fault keep the short wait (set below).
        connectTimeout: 15_000,
      });
      client.options.connectTimeout = 2000;
      client.on('error', (err) => this.errors.push(err.message));
      this.clients.push(client);
    }
  }

  /** Publishes `perTick` readings per device every `intervalMs`. */
  start(intervalMs = 20, perTick = 5): void {
    this.timer = setInterval(() => {
      for (const [k, client] of this.clients.entries()) {
        for (let i = 0; i < perTick; i++) this.publish(client, this.devices[k].id);
      }
    }, intervalMs);
  }

  private publish(client: MqttClient, deviceId: string): void {
    // Distinct, increasing device timestamps (ms); 60 s in the past so the burst never runs into the future.
    const ts = this.baseTs + ++this.sequence;
    this.sent++;
    const done = new Promise<void>((resolve) => {
      client.publish(
        deviceTopic(deviceId, 'telemetry'),
        JSON.stringify({ ts, values: this.values(deviceId) }),
        { qos: 1 },
        (err) => {
          if (!err) this.acked.add(`${deviceId}@${ts}`);
          resolve();
        },
      );
    });
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  /** Stops publishing and waits (bounded) for outstanding PUBACKs. */
  async stop(waitMs = 20_000): Promise<void> {
    clearInterval(this.timer);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([...this.pending]), new Promise((r) => (timeout = setTimeout(r, waitMs)))]);
    clearTimeout(timeout);
  }

  /** Stops publishing (if still running) and disconnects every device. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.clients.map((c) => c.endAsync(true)));
  }
}
