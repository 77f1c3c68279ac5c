import type { IPublishPacket } from 'mqtt-packet';
import { RawMqttSocket } from '@citypulse/testing';
import type { TestDevice } from './fleet-helpers.js';

/**
 * A device on a raw MQTT connection that subscribes to its commands topic and never sends PUBACK:
 * what a device that loses power right after receiving looks like to the broker.
 */
export async function silentDevice(port: number, device: TestDevice): Promise<RawMqttSocket> {
  const { socket, returnCode } = await RawMqttSocket.login(port, {
    clientId: device.id,
    username: device.id,
    password: device.secret,
  });
  socket.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `devices/${device.id}/commands`, qos: 1 }] });
  if (returnCode === 0 && (await socket.next('suback', 10_000))) return socket;
  await socket.destroy();
  throw new Error(returnCode === 0 ? 'no SUBACK within 10 s' : `CONNACK ${returnCode}`);
}

/** The PUBLISH packets a silent device received (none of them acknowledged). */
export function received(device: RawMqttSocket): IPublishPacket[] {
  return device.replies.filter((p): p is IPublishPacket => p.cmd === 'publish');
}
