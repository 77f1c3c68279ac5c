import type { Packet } from 'mqtt-packet';
import { deviceTopic } from '@citypulse/contracts';
import { MqttConnection } from '../common/mqtt-connection.js';

/** A device the bench drives reading by reading (QoS 1, one publish in flight), noting when each left. */
export class ScriptedDevice {
  private nextId = 1;
  private readonly waiting = new Map<number, () => void>();

  private constructor(
    readonly id: string,
    private readonly connection: MqttConnection,
  ) {
    connection.onPacket = (packet: Packet) => {
      if (packet.cmd === 'puback') this.waiting.get(packet.messageId ?? 0)?.();
    };
  }

  static async connect(host: string, port: number, device: { id: string; secret: string }): Promise<ScriptedDevice> {
    return new ScriptedDevice(
      device.id,
      await MqttConnection.open({ host, port, clientId: device.id, username: device.id, password: device.secret }),
    );
  }

  /** Publishes `body` and resolves with the epoch ms it was written, once PUBACKed. */
  async publish(body: unknown): Promise<number> {
    const messageId = this.nextId++;
    const acked = new Promise<void>((resolve) => this.waiting.set(messageId, resolve));
    const sentAt = Date.now();
    this.connection.write({
      cmd: 'publish',
      topic: deviceTopic(this.id, 'telemetry'),
      payload: Buffer.from(JSON.stringify(body)),
      qos: 1,
      messageId,
      retain: false,
      dup: false,
    });
    await acked;
    this.waiting.delete(messageId);
    return sentAt;
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
