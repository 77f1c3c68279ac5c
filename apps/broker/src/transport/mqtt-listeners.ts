import { createServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Aedes } from 'aedes';
import type { AppConfig } from '@citypulse/config';
import type { Logger, Metrics } from '@citypulse/observability';
import { serveConnection } from './serve-connection.js';
import type { ReadAdmission } from './read-admission.js';
import type { TlsCredentials } from './tls-credentials.js';
import { followTlsCredentials, tlsServerOptions } from './tls-server.js';
import { createWsListener } from './ws-listener.js';

export type ListenerKind = 'tcp' | 'tls' | 'ws' | 'wss';

export interface ListenerDeps {
  broker: Aedes;
  config: AppConfig;
  /** Present when a TLS or WSS listener is configured. */
  tls?: TlsCredentials;
  metrics: Metrics;
  logger: Logger;
  admission: ReadAdmission;
}

/**
 * The broker's listeners: plain TCP (unless CP_MQTT_PLAIN=false), TLS, WebSocket and secure
 * WebSocket, each handing its connections to the same aedes behind the same packet-size guard,
 * so authentication, ACLs and limits are one code path whatever the transport.
 */
export class MqttListeners {
  private constructor(private readonly servers: ReadonlyMap<ListenerKind, Server>) {}

  static async start(deps: ListenerDeps): Promise<MqttListeners> {
    const { config, tls, logger } = deps;
    const { transport, host, maxPacketBytes, connectTimeoutMs } = config.mqtt;
    const serve = serveConnection(deps.broker, maxPacketBytes, deps.admission, logger);
    const servers = new Map<ListenerKind, Server>();
    // noDelay: Nagle would hold small PUBACKs back ~10 ms.
    if (transport.plain)
      servers.set(
        'tcp',
        createServer({ noDelay: true }, (socket) => serve(socket)),
      );
    if (transport.tlsPort !== null && tls) servers.set('tls', createTlsListener(deps, tls, connectTimeoutMs, serve));
    if (transport.wsPort !== null) servers.set('ws', createWsListener(serve, maxPacketBytes));
    if (transport.wssPort !== null && tls)
      servers.set(
        'wss',
        createWsListener(serve, maxPacketBytes, { tls, connectTimeoutMs, metrics: deps.metrics, logger }),
      );
    const ports: Record<ListenerKind, number | null> = {
      tcp: config.mqtt.port,
      tls: transport.tlsPort,
      ws: transport.wsPort,
      wss: transport.wssPort,
    };
    const listeners = new MqttListeners(servers);
    try {
      for (const [kind, server] of servers) await listen(server, ports[kind]!, host, kind);
    } catch (err) {
      await listeners.close();
      throw err;
    }
    tls?.watch();
    logger.info(
      { host, ...Object.fromEntries([...servers.keys()].map((kind) => [kind, listeners.port(kind)])) },
      'MQTT listeners bound',
    );
    return listeners;
  }

  /** The bound port of a listener (useful when configured as 0), or undefined when it is off. */
  port(kind: ListenerKind): number | undefined {
    return (this.servers.get(kind)?.address() as AddressInfo | null)?.port;
  }

  /** Every configured listener is bound. */
  get listening(): boolean {
    return [...this.servers.values()].every((server) => server.listening);
  }

  /** Stops accepting; resolves once every listener's connections are gone (aedes closes them). */
  close(): Promise<void> {
    return Promise.all(
      [...this.servers.values()].map(
        (server) => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
      ),
    ).then(() => undefined);
  }
}

/** MQTT over TLS 1.2+, asking for client certificates (tls-server.ts). */
function createTlsListener(
  deps: ListenerDeps,
  tls: TlsCredentials,
  connectTimeoutMs: number,
  serve: (socket: import('node:tls').TLSSocket) => void,
): TlsServer {
  const server = createTlsServer(
    { ...tlsServerOptions(tls.current), handshakeTimeout: connectTimeoutMs, noDelay: true },
    (socket) => serve(socket),
  );
  followTlsCredentials(server, tls, deps.metrics, deps.logger);
  return server;
}

function listen(server: Server, port: number, host: string, kind: ListenerKind): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => reject(new Error(`MQTT ${kind} listener on ${host}:${port}: ${err.message}`));
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}
