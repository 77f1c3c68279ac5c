import { MqttConnection, type TlsConnect } from './mqtt-connection.js';

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
  /** Stopped early after `giveUpAfterFailuresInARow` failures in a row. */
  gaveUp: boolean;
}

/**
 * Connects every device as its own MQTT connection, `concurrency` CONNECTs in flight at a time,
 * timing each CONNECT → CONNACK and the whole. Failures are collected, not thrown, so one refused
 * device does not hide the figures of the rest.
 */
export interface FleetConnectOptions {
  host: string;
  port: number;
  concurrency: number;
  /** Source addresses, round-robin over the devices (127.0.0.2, 127.0.0.3 …). @defaultValue the OS picks */
  localAddresses?: readonly string[];
  /** @defaultValue 300 (see MqttConnection) */
  keepaliveS?: number;
  /** Each connection sends its own PINGREQs from its CONNACK on (see MqttConnection). @defaultValue false */
  ping?: boolean;
  /** CONNECTs started per second at most; 0 = as fast as `concurrency` allows. @defaultValue 0 */
  perSecond?: number;
  /**
   * Stop trying after this many failures in a row: the broker has hit a wall, and the rest would only fail too.
   * @defaultValue never
   */
  giveUpAfterFailuresInARow?: number;
  /**
   * MQTT over TLS to `port`: what each device's handshake uses (its session to resume, if any). @defaultValue plain TCP
   */
  tlsFor?: (deviceId: string) => TlsConnect;
}

export async function connectFleet(
  devices: readonly FleetDevice[],
  options: FleetConnectOptions,
): Promise<FleetConnectResult> {
  const connections: MqttConnection[] = [];
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  let next = 0;
  let failuresInARow = 0;
  let gaveUp = false;
  const startedAt = performance.now();
  const addresses = options.localAddresses ?? [];
  const worker = async () => {
    for (let i = next++; i < devices.length && !gaveUp; i = next++) {
      if (options.perSecond) {
        const due = startedAt + (i * 1000) / options.perSecond;
        if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
      }
      const { id, secret } = devices[i];
      const at = performance.now();
      try {
        const localAddress = addresses.length > 0 ? addresses[i % addresses.length] : undefined;
        const tls = options.tlsFor?.(id);
        connections.push(
          await MqttConnection.open({
            host: options.host,
            port: options.port,
            clientId: id,
            username: id,
            password: secret,
            timeoutMs: 60_000,
            keepaliveS: options.keepaliveS,
            ping: options.ping,
            localAddress,
            tls,
          }),
        );
        latenciesMs.push(performance.now() - at);
        failuresInARow = 0;
      } catch (err) {
        failures.push((err as Error).message);
        if (options.giveUpAfterFailuresInARow && ++failuresInARow >= options.giveUpAfterFailuresInARow) gaveUp = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, devices.length) }, worker));
  return { connections, wallMs: performance.now() - startedAt, latenciesMs, failures, gaveUp };
}

/** Nearest-rank quantile of unsorted values; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
