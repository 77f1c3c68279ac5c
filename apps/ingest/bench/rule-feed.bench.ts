/**
 * The ingest worker's rule-feed step on one core, per reading: handing on the feed the broker wrote
 * beside the lines (`batchRuleFeed`: each text's times read, its device's head parsed once by a
 * decoder kept across batches as the worker keeps it, values joined per device as text) against what it
 * did before, parsing the lines back (`ruleFeedReadings` over the batch, then packing each device
 * for its job). Batches as the ingest bench makes them: 100 meters, five fields, µs timestamps, one
 * or ten readings per publish, 5,000 readings per batch. Prints µs per reading; asserts nothing.
 * Run: npm run build && node dist/apps/ingest/bench/rule-feed.bench.js
 */
import {
  RuleFeedDecoder,
  encodeRuleFeed,
  packDeviceReadings,
  packReadings,
  ruleFeedDeviceText,
  type DeviceReadings,
} from '@citypulse/contracts';
import { linesOf, type HandoffBatch, type HandoffEntryContent } from '@citypulse/handoff';
import { lineFor, seriesKey } from '@citypulse/storage';
import { batchRuleFeed } from '../src/batch-rule-feed.js';
import { ruleFeedReadings } from '../src/rule-feed-readings.js';

const DEVICES = 100;
const BATCH_READINGS = 5000;
const ROUNDS = 200;
const devices = Array.from({ length: DEVICES }, (_, i) => {
  const city = ['beijing', 'tianjin', 'shijiazhuang'][i % 3];
  const deviceId = `bench-electricity-meter-${String(i + 1).padStart(3, '0')}`;
  const device = { deviceId, deviceType: 'electricity-meter', city, site: `${city}-bench-01` };
  return { device, key: seriesKey({ measurement: 'energy', ...device }), text: ruleFeedDeviceText(device) };
});

/** One batch of `perPublish`-reading publishes, the feed beside the lines. */
function batchOf(perPublish: number): HandoffBatch {
  const entries: HandoffEntryContent[] = [];
  let lineCount = 0;
  const t0 = Date.now();
  for (let n = 0; lineCount < BATCH_READINGS; n++) {
    const { key, text } = devices[n % DEVICES];
    const readings: DeviceReadings['readings'] = [];
    const lines: string[] = [];
    for (let i = 0; i < perPublish; i++) {
      const tsMs = t0 + lineCount + i;
      const values = { voltage: 230.1, current: 50.25, active_power: 11.234, power_factor: 0.912, frequency: 50.012 };
      lines.push(lineFor(key, values, `${tsMs}123000`)!);
      readings.push([tsMs, values]);
    }
    const companions = [encodeRuleFeed(text, packReadings(readings))];
    entries.push({ lp: lines.join('\n'), lines: perPublish, companions });
    lineCount += perPublish;
  }
  return { segments: [], entries, lineCount };
}

function microsPerReading(batch: HandoffBatch, step: (batch: HandoffBatch) => unknown): number {
  for (let i = 0; i < 20; i++) step(batch); // warm-up: let the JIT compile the path
  const started = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) step(batch);
  return Number(process.hrtime.bigint() - started) / 1000 / (ROUNDS * batch.lineCount);
}

console.log('| load | feed handed on (µs/reading) | lines parsed back (µs/reading) |\n| --- | --- | --- |');
for (const perPublish of [1, 10]) {
  const batch = batchOf(perPublish);
  const decoder = new RuleFeedDecoder();
  const handedOn = microsPerReading(batch, (b) => batchRuleFeed(b, decoder));
  const parsed = microsPerReading(batch, (b) => ruleFeedReadings(linesOf(b)).map(packDeviceReadings));
  console.log(`| ${perPublish} per publish | ${handedOn.toFixed(2)} | ${parsed.toFixed(2)} |`);
}
