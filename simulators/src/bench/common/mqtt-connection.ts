import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { connectPacket } from '@citypulse/testing';

export interface ConnectOptions {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  /** Seconds; long by default, because most benches send no PINGREQ and a drain may be quiet. @defaultValue 300 */
  keepaliveS?: number;
  /**
   * Keep the connection alive as firmware does, from its CONNACK on: a PINGREQ once half a
   * keepalive has passed without anything sent. @defaultValue false
   */
  ping?: boolean;
  /** @defaultValue 30000 */
  timeoutMs?: number;
  /**
   * Source address, e.g. 127.0.0.2: each loopback address has its own ~28,000 ephemeral ports. @defaultValue the OS
   * picks
   */
  localAddress?: string;
  /** MQTT over TLS: the CA that signed the broker's certificate, and a session to resume (TLS session resumption). */
  tls?: TlsConnect;
}

export interface TlsConnect {
  ca: Buffer | string;
  /** A session from an earlier connection's `tlsSession`: the handshake resumes it instead of a full one. */
  session?: Buffer;
}

/**
 * One raw MQTT 3.1.1 connection: a TCP socket, frames built with mqtt-packet's `generate` and a
 * streaming parser for what comes back — no client library, so nothing between the bench and the
 * wire costs more than it must (aedes' own benchmarks drive brokers the same way).
 */
export class MqttConnection {
  /** Called for every packet after CONNACK, synchronously while a chunk is parsed. */
  onPacket: (packet: Packet) => void = () => undefined;
  /** Called once when the socket closes or fails after CONNACK. */
  onClose: (error?: Error) => void = () => undefined;

  /** Over TLS: the latest session ticket, to resume with (`tls.session`) on a later connection. */
  tlsSession?: Buffer;
  /** PINGREQs sent by `ping`, and PINGRESPs received. */
  pingreqs = 0;
  pingresps = 0;

  private lastWriteMs = performance.now();
  private pinger?: NodeJS.Timeout;

  private constructor(
    readonly socket: Socket,
    readonly clientId: string,
  ) {}

  static open(options: ConnectOptions): Promise<MqttConnection> {
    return new Promise((resolve, reject) => {
      // noDelay: Nagle would hold small PUBLISH and PUBACK frames back for tens of ms.
      const tcp = connect({
        host: options.host,
        port: options.port,
        noDelay: true,
        localAddress: options.localAddress,
      });
      const socket: Socket = options.tls
        ? tlsConnect({ socket: tcp, host: options.host, ca: options.tls.ca, session: options.tls.session })
        : tcp;
      // TLS 1.3 sends its session tickets after the handshake: keep the latest for a later resumption.
      if (options.tls) socket.on('session', (session: Buffer) => (connection.tlsSession = session));
      const connection = new MqttConnection(socket, options.clientId);
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      let connected = false;
      const fail = (error: Error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(
        () => fail(new Error(`${options.clientId}: no CONNACK within ${options.timeoutMs ?? 30_000} ms`)),
        options.timeoutMs ?? 30_000,
      );

      parser.on('packet', (packet: Packet) => {
        if (packet.cmd === 'pingresp') connection.pingresps++;
        if (connected) return connection.onPacket(packet);
        if (packet.cmd !== 'connack')
          return fail(new Error(`${options.clientId}: expected CONNACK, got ${packet.cmd}`));
        if (packet.returnCode !== 0)
          return fail(new Error(`${options.clientId}: CONNACK return code ${packet.returnCode}`));
        connected = true;
        clearTimeout(timer);
        if (options.ping) connection.keepAlive(options.keepaliveS ?? 300);
        resolve(connection);
      });
      parser.on('error', (err: Error) => socket.destroy(err));
      socket.on('data', (chunk: Buffer) => {
        // Cork while parsing so every frame the packets of this chunk trigger leaves in one write.
        socket.cork();
        parser.parse(chunk);
        socket.uncork();
      });
      socket.on('error', (err) => (connected ? undefined : fail(err)));
      socket.on('close', () => {
        clearInterval(connection.pinger);
        if (connected) connection.onClose(socket.errored ?? undefined);
        else fail(new Error(`${options.clientId}: connection closed before CONNACK`));
      });
      socket.once(options.tls ? 'secureConnect' : 'connect', () => {
        socket.write(
          mqttPacket.generate(
            connectPacket({
              clientId: options.clientId,
              username: options.username,
              password: options.password,
              keepaliveS: options.keepaliveS ?? 300,
            }),
          ),
        );
      });
    });
  }

  /** Over TLS: whether the handshake resumed an earlier session. */
  get tlsResumed(): boolean {
    return (this.socket as TLSSocket).isSessionReused?.() ?? false;
  }

  write(packet: Packet): void {
    this.lastWriteMs = performance.now();
    this.socket.write(mqttPacket.generate(packet));
  }

  /**
   * Checks every half keepalive and pings after half a keepalive of silence: at most one keepalive
   * without a packet, well inside the broker's 1.5. Intervals of one length share one timer list
   * in Node, so tens of thousands of connections cost little.
   */
  private keepAlive(keepaliveS: number): void {
    const halfMs = keepaliveS * 500;
    this.pinger = setInterval(() => {
      // 10 ms of slack: a check landing just short of the half would otherwise wait a whole interval more.
      if (performance.now() - this.lastWriteMs < halfMs - 10) return;
      this.write({ cmd: 'pingreq' });
      this.pingreqs++;
    }, halfMs);
    this.pinger.unref();
  }

  /** DISCONNECT, then close; resolves once the socket is gone. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.onClose = () => undefined;
      this.socket.once('close', () => resolve());
      this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
      setTimeout(() => this.socket.destroy(), 2000).unref();
    });
  }
}
