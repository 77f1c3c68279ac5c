import { readFileSync } from 'node:fs';
import { freePort, TestPki } from '@citypulse/testing';
import type { Cleanup } from './cleanup.js';
import { MqttConnection, type TlsConnect } from './mqtt-connection.js';
import { readMemory } from './proc-stats.js';
import type { BenchDevice } from './provision.js';

/**
 * The TLS listener of a bench run: a throw-away CA and server certificate (openssl), and the service variables that
 * turn it on.
 */
export interface BenchTls {
  port: number;
  ca: Buffer;
  env: Record<string, string>;
}

export async function prepareBenchTls(cleanup: Cleanup): Promise<BenchTls> {
  const pki = await TestPki.create();
  cleanup.add('remove the TLS files', () => pki.remove());
  const ca = await pki.ca('bench');
  const server = await pki.serverCert(ca);
  const port = await freePort();
  return {
    port,
    ca: readFileSync(ca.cert),
    env: { CP_MQTT_TLS_PORT: String(port), CP_MQTT_TLS_CERT: server.cert, CP_MQTT_TLS_KEY: server.key },
  };
}

export interface ConnectStormPass {
  connections: number;
  connectsPerS: number;
  /** Broker VmRSS growth while holding them, per connection. */
  rssPerConnectionKb: number;
  /** TLS handshakes that resumed an earlier session. */
  resumed: number;
  failures: number;
}

export interface TlsConnectStorm {
  plain: ConnectStormPass;
  tlsFull: ConnectStormPass;
  tlsResumed: ConnectStormPass;
}

/**
 * The price of TLS at CONNECT: the fleet connects at once (a reconnect storm: every secret is
 * already verified, so the handshake is what differs) over plain TCP, over TLS with full
 * handshakes, and over TLS resuming each device's previous session (TLS 1.3 tickets). Each
 * pass holds its connections while the broker's RSS is read, then closes them.
 */
export async function measureConnectStorm(o: {
  devices: readonly BenchDevice[];
  tcpPort: number;
  tls: BenchTls;
  brokerPid: number;
  concurrency: number;
}): Promise<TlsConnectStorm> {
  const plain = await stormPass(o, o.tcpPort, () => undefined);
  const full = await stormPass(o, o.tls.port, () => ({ ca: o.tls.ca }));
  const resumed = await stormPass(o, o.tls.port, (i) => ({ ca: o.tls.ca, session: full.sessions[i] }));
  return { plain: plain.pass, tlsFull: full.pass, tlsResumed: resumed.pass };
}

async function stormPass(
  o: { devices: readonly BenchDevice[]; brokerPid: number; concurrency: number },
  port: number,
  tls: (index: number) => TlsConnect | undefined,
): Promise<{ pass: ConnectStormPass; sessions: Array<Buffer | undefined> }> {
  const rssBefore = readMemory(o.brokerPid)?.vmRssKb ?? 0;
  const connections: MqttConnection[] = [];
  const sessions: Array<Buffer | undefined> = [];
  let failures = 0;
  let next = 0;
  const startedAt = performance.now();
  const worker = async () => {
    for (let i = next++; i < o.devices.length; i = next++) {
      const { id, secret } = o.devices[i];
      try {
        const connection = await MqttConnection.open({
          host: '127.0.0.1',
          port,
          clientId: id,
          username: id,
          password: secret,
          timeoutMs: 60_000,
          tls: tls(i),
        });
        connections[i] = connection;
      } catch {
        failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, o.devices.length) }, worker));
  const wallMs = performance.now() - startedAt;
  const open = connections.filter(Boolean);
  const rssAfter = readMemory(o.brokerPid)?.vmRssKb ?? 0;
  for (let i = 0; i < connections.length; i++) sessions[i] = connections[i]?.tlsSession;
  const resumed = open.filter((c) => c.tlsResumed).length;
  await Promise.all(open.map((c) => c.close()));
  return {
    pass: {
      connections: open.length,
      connectsPerS: (open.length / wallMs) * 1000,
      rssPerConnectionKb: open.length > 0 ? (rssAfter - rssBefore) / open.length : 0,
      resumed,
      failures,
    },
    sessions,
  };
}
