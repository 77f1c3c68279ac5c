/**
 * Decode + validate throughput of one core, as the broker runs it for every telemetry publish.
 * Prints messages/s; no assertions (STYLE: benchmarks are scripts that print numbers).
 * Run: npm run build && node dist/libs/devices/bench/decode.bench.js
 */
import { decodeTelemetry, getDeviceType } from '../src/index.js';

const type = getDeviceType('electricity-meter');
if (!type) throw new Error('electricity-meter missing from the catalogue');
const limits = {
  maxPayloadBytes: 65_536,
  maxBatchReadings: 1000,
  maxFutureSkewMs: 300_000,
  maxPastAgeMs: 7 * 86_400_000,
};
const now = Date.now();

const cases: Record<string, Buffer> = {
  'single reading, 5 fields': Buffer.from(
    JSON.stringify({
      ts: now,
      values: { voltage: 231.4, current: 12.7, active_power: 2.93, energy: 123456.7, frequency: 50.01 },
    }),
  ),
  'single reading, 5 fields, ISO ts': Buffer.from(
    JSON.stringify({
      ts: new Date(now).toISOString(),
      values: { voltage: 231.4, current: 12.7, active_power: 2.93, energy: 123456.7, frequency: 50.01 },
    }),
  ),
  'single reading, 1 bad field': Buffer.from(
    JSON.stringify({
      ts: now,
      values: { voltage: 931.4, current: 12.7, active_power: 2.93, energy: 123456.7, frequency: 50.01 },
    }),
  ),
  'SenML pack, 5 records': Buffer.from(
    JSON.stringify([
      { bn: 'meter-1/', bt: now / 1000, n: 'voltage', u: 'V', v: 231.4 },
      { n: 'current', u: 'A', v: 12.7 },
      { n: 'active_power', u: 'kW', v: 2.93 },
      { n: 'energy', u: 'kWh', v: 123456.7 },
      { n: 'frequency', u: 'Hz', v: 50.01 },
    ]),
  ),
};

for (const [name, payload] of Object.entries(cases)) {
  let sink = 0;
  const run = (n: number) => {
    for (let i = 0; i < n; i++)
      sink += decodeTelemetry(payload, type, { ...limits, receivedAtMs: now }).accepted.length;
  };
  run(50_000); // warm-up: let V8 optimise before measuring
  const n = 500_000;
  const start = process.hrtime.bigint();
  run(n);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(
    `${name.padEnd(34)} ${Math.round(n / seconds)
      .toLocaleString('en-US')
      .padStart(10)} msg/s  (${payload.length} B, ${((seconds / n) * 1e6).toFixed(2)} µs/msg, accepted ${sink})`,
  );
}
