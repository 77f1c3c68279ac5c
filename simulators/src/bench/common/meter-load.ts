import { deviceTopic } from '@citypulse/contracts';
import { LoadGenerator, type Publisher } from './load-generator.js';
import type { BenchDevice } from './provision.js';
import type { TlsConnect } from './mqtt-connection.js';

/**
 * Provisioned bench meters as the load generator's publishers: each on its own telemetry topic,
 * with its own seed so runs repeat. With several broker ports the devices are dealt out over them
 * in turn, as a load balancer would spread them.
 */
export function meterPublishers(devices: readonly BenchDevice[], ports: readonly number[] = []): Publisher[] {
  return devices.map((d, i) => ({
    clientId: d.id,
    username: d.id,
    password: d.secret,
    topic: deviceTopic(d.id, 'telemetry'),
    seed: i + 1,
    ...(ports.length > 0 ? { port: ports[i % ports.length] } : {}),
  }));
}

export interface MeterLoad {
  window: number;
  durationS: number;
  /** Seconds at the start whose PUBACK latency is kept apart; @defaultValue 0 */
  warmupS?: number;
  /** Readings/s over all devices; 0 = as fast as PUBACKs come back. */
  rate: number;
  batch: number;
  settleTimeoutMs: number;
  /** Publish over TLS to the ports given (the brokers' TLS listeners). */
  tls?: TlsConnect;
}

/**
 * Connects the bench meters on loopback — to one broker, or spread over several — and returns the generator, ready to
 * `run`.
 */
export function connectMeterLoad(
  mqttPorts: number | readonly number[],
  devices: readonly BenchDevice[],
  load: MeterLoad,
): Promise<LoadGenerator> {
  const ports = typeof mqttPorts === 'number' ? [mqttPorts] : mqttPorts;
  if (ports.length === 0) throw new Error('connectMeterLoad: no broker port');
  return LoadGenerator.connect({
    host: '127.0.0.1',
    port: ports[0],
    publishers: meterPublishers(devices, ports.length > 1 ? ports : []),
    window: load.window,
    durationMs: load.durationS * 1000,
    warmupMs: (load.warmupS ?? 0) * 1000,
    rate: load.rate,
    batch: load.batch,
    settleTimeoutMs: load.settleTimeoutMs,
    tls: load.tls,
  });
}
