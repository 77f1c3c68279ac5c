import { connect, type Socket } from 'node:net';
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';
import type { TestDevice } from './fleet-helpers.js';

export interface SilentDevice {
  /** PUBLISH packets received (never acknowledged). */
  received: IPublishPacket[];
  socket: Socket;
}

/**
 * A device on a raw MQTT connection that subscribes to its commands topic and never sends PUBACK:
 * what a device that loses power right after receiving looks like to the broker.
 */
export function silentDevice(port: number, device: TestDevice): Promise<SilentDevice> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const received: IPublishPacket[] = [];
    const timer = setTimeout(() => reject(new Error('no SUBACK within 10 s')), 10_000);
    parser.on('packet', (packet: Packet) => {
      if (packet.cmd === 'connack') {
        if (packet.returnCode !== 0) return reject(new Error(`CONNACK ${packet.returnCode}`));
        socket.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `devices/${device.id}/commands`, qos: 1 }] }));
      } else if (packet.cmd === 'suback') {
        clearTimeout(timer);
        resolve({ received, socket });
      } else if (packet.cmd === 'publish') {
        received.push(packet);
      }
    });
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', reject);
    socket.once('connect', () =>
      socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: device.id, clean: true, keepalive: 60, username: device.id, password: Buffer.from(device.secret) })),
    );
  });
}
