import { connect } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface RawConnectOptions {
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  /** Bind the client side to this loopback address (127.0.0.2 …) to act as another host. */
  localAddress?: string;
  keepaliveS?: number;
  will?: { topic: string; payload: string };
}

/**
 * One raw MQTT 3.1.1 CONNECT over TCP, returning the CONNACK return code and the open socket:
 * precise control of what the broker sees (source address, keep-alive, a last will, and a socket
 * to destroy abruptly) without a client library in between.
 */
export function rawConnect(options: RawConnectOptions): Promise<{ returnCode: number; socket: ReturnType<typeof connect> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: options.port, localAddress: options.localAddress });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const timer = setTimeout(() => reject(new Error(`${options.clientId}: no CONNACK within 10 s`)), 10_000);
    parser.on('packet', (packet: Packet) => {
      if (packet.cmd !== 'connack') return;
      clearTimeout(timer);
      resolve({ returnCode: packet.returnCode ?? -1, socket });
    });
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () =>
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clientId: options.clientId,
          clean: true,
          keepalive: options.keepaliveS ?? 60,
          username: options.username,
          password: options.password === undefined ? undefined : Buffer.from(options.password),
          ...(options.will ? { will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1, retain: false } } : {}),
        }),
      ),
    );
  });
}

/** The CONNACK return code only; the connection is closed straight away. */
export async function connackCode(options: RawConnectOptions): Promise<number> {
  const { returnCode, socket } = await rawConnect(options);
  socket.destroy();
  return returnCode;
}
