import { METER_FIELDS, MeterReadings } from './meter-readings.js';
import { decodeTelemetry, deviceTypes } from '@citypulse/devices';

type Reading = { ts: number; values: Record<string, number> };

describe('MeterReadings', () => {
  const meter = deviceTypes['electricity-meter'];

  it('builds a single reading of the five fields, each inside the catalogue range', () => {
    const readings = new MeterReadings(7);
    for (let i = 0; i < 1000; i++) {
      const body = JSON.parse(readings.payload(1).toString()) as Reading;
      expect(Object.keys(body.values)).toEqual([...METER_FIELDS]);
      for (const [name, value] of Object.entries(body.values)) {
        const spec = meter.fields[name];
        expect(value).toBeGreaterThanOrEqual(spec.min ?? -Infinity);
        expect(value).toBeLessThanOrEqual(spec.max ?? Infinity);
      }
    }
  });

  it('builds a batch body with the requested number of readings', () => {
    const body = JSON.parse(new MeterReadings(1).payload(10).toString()) as { readings: Reading[] };
    expect(body.readings).toHaveLength(10);
  });

  it("passes the broker's own decode and validation with nothing rejected, single and batch", () => {
    const readings = new MeterReadings(11);
    const limits = {
      receivedAtMs: Date.now(),
      maxPayloadBytes: 65536,
      maxBatchReadings: 1000,
      maxFutureSkewMs: 300_000,
      maxPastAgeMs: 86_400_000,
    };
    for (const count of [1, 10, 100]) {
      const decoded = decodeTelemetry(readings.payload(count), meter, limits);
      expect(decoded.rejected).toEqual([]);
      expect(decoded.accepted).toHaveLength(count);
    }
  });

  it('gives one device strictly increasing µs timestamps even within one millisecond', () => {
    const readings = new MeterReadings(3);
    const nowMs = 1_732_800_000_123;
    const body = JSON.parse(readings.payload(5, nowMs).toString()) as { readings: Reading[] };
    const next = JSON.parse(readings.payload(1, nowMs).toString()) as Reading;
    const micros = [...body.readings, next].map((r) => Math.round(r.ts * 1000));
    expect(micros).toEqual([0, 1, 2, 3, 4, 5].map((k) => nowMs * 1000 + k));
  });

  it('follows the clock again once it moves past the last timestamp', () => {
    const readings = new MeterReadings(3);
    readings.payload(3, 1000);
    const later = JSON.parse(readings.payload(1, 2000).toString()) as Reading;
    expect(later.ts).toBe(2000);
  });
});
