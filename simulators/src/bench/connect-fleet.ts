import { MqttConnection } from './mqtt-connection.js';

export interface FleetDevice {
  id: string;
  secret: string;
}

export interface FleetConnectResult {
  connections: MqttConnection[];
  wallMs: number;
  /** CONNECT sent → CONNACK 0, per device, in ms. */
  latenciesMs: number[];
  failures: string[];
}

/**
 * Connects every device as its own MQTT connection, `concurrency` CONNECTs in flight at a time,
 * timing each CONNECT → CONNACK and the whole. Failures are collected, not thrown, so one refused
 * device does not hide the figures of the rest.
 */
export async function connectFleet(devices: readonly FleetDevice[], options: { host: string; port: number; concurrency: number }): Promise<FleetConnectResult> {
  const connections: MqttConnection[] = [];
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const startedAt = performance.now();
  const worker = async () => {
    for (let i = next++; i < devices.length; i = next++) {
      const { id, secret } = devices[i];
      const at = performance.now();
      try {
        connections.push(await MqttConnection.open({ host: options.host, port: options.port, clientId: id, username: id, password: secret, timeoutMs: 60_000 }));
        latenciesMs.push(performance.now() - at);
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, devices.length) }, worker));
  return { connections, wallMs: performance.now() - startedAt, latenciesMs, failures };
}

/** Nearest-rank quantile of unsorted values; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
