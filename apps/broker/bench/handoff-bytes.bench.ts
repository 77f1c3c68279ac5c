/**
 * Hand-off bytes per reading as the broker writes them: lines only (what it wrote before the rule
 * feed travelled beside them, and what an older broker's entries hold), lines + a rule feed per
 * publish, and lines + the feed with a device's publishes of one flush merged (now), for the
 * ingest bench's fleet — 100 electricity meters over three cities, one or ten readings per
 * publish, and one or 16 publishes per device in a flush (the ingest bench's window: a device
 * with publishes in flight has them parsed and handed off together). Each publish goes through the
 * broker's own steps (decode, validate, `toHandoffPublish`) and the real producer into the local
 * Redis under a fresh prefix; then the entries' field bytes are summed and each stream's MEMORY
 * USAGE read, and the keys deleted. Prints a table; asserts nothing (benchmarks are scripts that
 * print numbers).
 * Run: npm run build && node dist/apps/broker/bench/handoff-bytes.bench.js [redis url]
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { decodeTelemetry, getDeviceType } from '@citypulse/devices';
import { mergeRuleFeedRuns } from '@citypulse/contracts';
import { HandoffProducer, handoffKeys } from '@citypulse/handoff';
import { createSession } from '../src/sessions.js';
import { ReceiveClock } from '../src/telemetry/receive-clock.js';
import { toHandoffPublish } from '../src/telemetry/to-handoff-publish.js';

const DEVICES = 100;
const ROUNDS = 40;
const PARTITIONS = 16;
const CITIES = ['beijing', 'tianjin', 'shijiazhuang'];
const type = getDeviceType('electricity-meter')!;
const limits = { maxPayloadBytes: 65_536, maxBatchReadings: 1000, maxFutureSkewMs: 300_000, maxPastAgeMs: 86_400_000 };
const sessions = Array.from({ length: DEVICES }, (_, i) => {
  const city = CITIES[i % CITIES.length];
  const id = `bench-electricity-meter-${String(i + 1).padStart(3, '0')}`;
  return createSession(
    {
      id,
      type: type.name,
      city,
      site: `${city}-bench-01`,
      secretHash: '',
      credentialVersion: 1,
      revoked: false,
      createdAt: '',
    },
    type,
  );
});

/** A meter reading as the ingest bench's load generator writes it (µs-fraction timestamp, five fields). */
function reading(nowMs: number, n: number): string {
  const x = (k: number) => ((n * 7919 + k * 104_729) % 1000) / 1000;
  const voltage = 225 + x(1) * 10;
  const current = 5 + x(2) * 90;
  const powerFactor = 0.85 + x(3) * 0.14;
  return (
    `{"ts":${nowMs}.${String(n % 1000).padStart(3, '0')},"values":{"voltage":${voltage.toFixed(1)},` +
    `"current":${current.toFixed(2)},"active_power":${((voltage * current * powerFactor) / 1000).toFixed(3)},` +
    `"power_factor":${powerFactor.toFixed(3)},"frequency":${(49.9 + x(4) * 0.2).toFixed(3)}}}`
  );
}

interface Figures {
  readings: number;
  entries: number;
  valueBytes: number;
  fieldBytes: number;
  memoryBytes: number;
}

type Entry = 'lines only' | 'lines + rule feed' | 'lines + merged rule feed';

async function measure(redis: Redis, perPublish: number, inFlight: number, entry: Entry): Promise<Figures> {
  const prefix = `handoff-bytes-bench:${randomUUID().slice(0, 8)}`;
  const withFeed = entry !== 'lines only';
  const producer = new HandoffProducer(redis, {
    prefix,
    partitions: PARTITIONS,
    maxEntryReadings: 1000,
    maxBacklogReadings: 1e9,
    mergeCompanions: entry === 'lines + merged rule feed' ? mergeRuleFeedRuns : undefined,
  });
  const clock = new ReceiveClock();
  let n = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const nowMs = Date.now() - 1000;
    // Every device publishes `inFlight` times per round, all in one event-loop turn (one flush), as under load.
    await Promise.all(
      sessions
        .flatMap((session) => Array.from({ length: inFlight }, () => session))
        .map((session) => {
          const body = Array.from({ length: perPublish }, () => reading(nowMs, n++));
          const payload = Buffer.from(perPublish === 1 ? body[0] : `{"readings":[${body.join(',')}]}`);
          const decoded = decodeTelemetry(payload, type, { ...limits, receivedAtMs: Date.now() });
          const { lines, ruleFeed } = toHandoffPublish(session, decoded.accepted, clock);
          return producer.append(session.device.id, lines, withFeed ? ruleFeed : undefined);
        }),
    );
  }
  const figures: Figures = { readings: n, entries: 0, valueBytes: 0, fieldBytes: 0, memoryBytes: 0 };
  for (let p = 0; p < PARTITIONS; p++) {
    const { stream, backlog, lease } = handoffKeys(prefix, p);
    for (const [, fields] of await redis.xrange(stream, '-', '+')) {
      figures.entries++;
      fields.forEach((field, i) => {
        const bytes = Buffer.byteLength(field);
        figures.fieldBytes += bytes;
        if (i % 2 === 1) figures.valueBytes += bytes;
      });
    }
    figures.memoryBytes += Number(await redis.call('MEMORY', 'USAGE', stream, 'SAMPLES', '0'));
    await redis.del(stream, backlog, lease);
  }
  return figures;
}

const redis = new Redis(process.argv[2] ?? 'redis://127.0.0.1:16379', { enableAutoPipelining: true });
try {
  const rows: string[][] = [];
  const entries: Entry[] = ['lines only', 'lines + rule feed', 'lines + merged rule feed'];
  for (const [perPublish, inFlight] of [
    [1, 1],
    [1, 16],
    [10, 1],
    [10, 16],
  ]) {
    for (const entry of entries) {
      const f = await measure(redis, perPublish, inFlight, entry);
      const per = (bytes: number) => (bytes / f.readings).toFixed(1);
      rows.push([
        `${perPublish} per publish, ${inFlight} per device in a flush`,
        entry,
        String(f.readings),
        String(f.entries),
        per(f.valueBytes),
        per(f.fieldBytes),
        per(f.memoryBytes),
      ]);
    }
  }
  const header = [
    'load',
    'entry',
    'readings',
    'entries',
    'value B/reading',
    'field B/reading',
    'MEMORY USAGE B/reading',
  ];
  console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
} finally {
  redis.disconnect();
}
