import type { Packet } from 'mqtt-packet';
import { deviceTopic } from '@citypulse/contracts';
import type { MqttConnection } from '../common/mqtt-connection.js';

/**
 * Devices of the jobs bench on raw MQTT connections (no client library, as the connections bench):
 * each subscribes to its commands topic, PUBACKs every command and acks it at once — `failed` for
 * the devices `fails` picks, `succeeded` for the rest. Counts each device's distinct commands.
 */
export class CommandAnsweringFleet {
  /** Device → command ids it received (a redelivery of the same id counts once). */
  readonly received = new Map<string, Set<string>>();
  private nextId = 1;

  constructor(
    private readonly connections: readonly MqttConnection[],
    private readonly fails: (deviceId: string) => boolean,
  ) {
    for (const connection of connections) connection.onPacket = (packet) => this.onPacket(connection, packet);
  }

  /** Subscribes every device to its commands; resolves when all SUBACKs are in. */
  async subscribe(): Promise<void> {
    await Promise.all(
      this.connections.map(
        (connection) =>
          new Promise<void>((resolve) => {
            const messageId = this.messageId();
            const previous = connection.onPacket;
            connection.onPacket = (packet) => {
              if (packet.cmd === 'suback' && packet.messageId === messageId) {
                connection.onPacket = previous;
                resolve();
              } else previous(packet);
            };
            connection.write({
              cmd: 'subscribe',
              messageId,
              subscriptions: [{ topic: deviceTopic(connection.clientId, 'commands'), qos: 1 }],
            });
          }),
      ),
    );
  }

  get devicesReached(): number {
    return this.received.size;
  }

  /** Devices that received more than one distinct command. */
  get devicesWithDuplicates(): number {
    return [...this.received.values()].filter((ids) => ids.size > 1).length;
  }

  private onPacket(connection: MqttConnection, packet: Packet): void {
    if (packet.cmd !== 'publish') return;
    if (packet.qos === 1) connection.write({ cmd: 'puback', messageId: packet.messageId });
    const command = JSON.parse(packet.payload.toString()) as { id: string };
    const deviceId = connection.clientId;
    const seen = this.received.get(deviceId) ?? new Set<string>();
    const first = !seen.has(command.id);
    seen.add(command.id);
    this.received.set(deviceId, seen);
    if (!first) return;
    const ack = this.fails(deviceId)
      ? { id: command.id, status: 'failed', error: 'injected failure' }
      : { id: command.id, status: 'succeeded', result: { rebooted: true } };
    connection.write({
      cmd: 'publish',
      topic: deviceTopic(deviceId, 'command-acks'),
      payload: Buffer.from(JSON.stringify(ack)),
      qos: 1,
      messageId: this.messageId(),
      retain: false,
      dup: false,
    });
  }

  private messageId(): number {
    this.nextId = (this.nextId % 65_535) + 1;
    return this.nextId;
  }
}
