import { deviceTopic } from '@citypulse/contracts';
import { LoadGenerator, type Publisher } from './load-generator.js';
import type { BenchDevice } from './provision.js';

/** Provisioned bench meters as the load generator's publishers: each on its own telemetry topic, with its own seed so runs repeat. */
export function meterPublishers(devices: readonly BenchDevice[]): Publisher[] {
  return devices.map((d, i) => ({ clientId: d.id, username: d.id, password: d.secret, topic: deviceTopic(d.id, 'telemetry'), seed: i + 1 }));
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
}

/** Connects the bench meters to the broker on loopback and returns the generator, ready to `run`. */
export function connectMeterLoad(mqttPort: number, devices: readonly BenchDevice[], load: MeterLoad): Promise<LoadGenerator> {
  return LoadGenerator.connect({
    host: '127.0.0.1',
    port: mqttPort,
    publishers: meterPublishers(devices),
    window: load.window,
    durationMs: load.durationS * 1000,
    warmupMs: (load.warmupS ?? 0) * 1000,
    rate: load.rate,
    batch: load.batch,
    settleTimeoutMs: load.settleTimeoutMs,
  });
}
