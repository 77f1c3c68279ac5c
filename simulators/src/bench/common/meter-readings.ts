/**
 * Telemetry payloads of one simulated `electricity-meter` (libs/devices/src/catalogue/energy.ts), built
 * as cheaply as a template string allows: the load generator must not be what bounds the rate.
 *
 * Five fields per reading — voltage, current, active_power, power_factor, frequency — all inside
 * the catalogue ranges and clear of the default alert thresholds (198–253 V, 49.5–50.5 Hz).
 * `energy` is left out: it is an optional, monotonic register and adds nothing to the load.
 */
export const METER_FIELDS = ['voltage', 'current', 'active_power', 'power_factor', 'frequency'] as const;

export class MeterReadings {
  private lastTsUs = 0;
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** One publish body: `{ts, values}` when `count` is 1, else `{"readings": [...]}` of `count` readings. */
  payload(count: number, nowMs = Date.now()): Buffer {
    if (count === 1) return Buffer.from(this.reading(nowMs));
    let body = '{"readings":[';
    for (let i = 0; i < count; i++) body += (i === 0 ? '' : ',') + this.reading(nowMs);
    return Buffer.from(body + ']}');
  }

  private reading(nowMs: number): string {
    const voltage = 225 + this.next() * 10;
    const current = 5 + this.next() * 90;
    const powerFactor = 0.85 + this.next() * 0.14;
    const activePower = (voltage * current * powerFactor) / 1000;
    const frequency = 49.9 + this.next() * 0.2;
    return (
      `{"ts":${this.timestamp(nowMs)},"values":{"voltage":${voltage.toFixed(1)},"current":${current.toFixed(2)},` +
      `"active_power":${activePower.toFixed(3)},"power_factor":${powerFactor.toFixed(3)},` +
      `"frequency":${frequency.toFixed(3)}}}`
    );
  }

  /**
   * Epoch ms with a microsecond fraction, strictly increasing per device. A point's identity in
   * InfluxDB is (measurement, tags, time) and the broker keeps the device's time to the µs, so two
   * readings of one device stamped with the same whole `Date.now()` — routine at hundreds of
   * publishes per second per device — would overwrite each other and show up as "lost".
   * Written digit by digit so no float formatting can blur the µs.
   */
  private timestamp(nowMs: number): string {
    const us = Math.max(nowMs * 1000, this.lastTsUs + 1);
    this.lastTsUs = us;
    const fraction = us % 1000;
    return `${(us - fraction) / 1000}.${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}`;
  }

  /** xorshift32 in [0, 1): deterministic per seed, no allocation. */
  private next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }
}
