import { createLogger } from '@citypulse/observability';
import { connectRedis } from '@citypulse/redis';
import { ensureRetention, InfluxQueryClient, InfluxV1Writer } from '@citypulse/storage';
import { flushPrefix, testConfig, waitFor } from '@citypulse/testing';
import { MinuteRollups } from './minute-rollups.service.js';
import { retentionPlanOf } from './retention-plan.js';

/**
 * The 1-minute rollup computed by ingest processes on real InfluxDB 1.6.7 and Redis: two
 * processes sharing a prefix compute each due minute exactly once between them, and a minute whose
 * claim outlived its process (an expired claim) is computed by the other.
 */
describe('1-minute rollups computed by ingest', () => {
  const config = testConfig();
  const influx = new InfluxQueryClient({ url: config.influx.url, database: config.influx.database });
  const plan = retentionPlanOf(config);
  const redis = connectRedis(config, 'test-minute-rollups');
  const computedLog: string[][] = [];
  const processes = ['a', 'b'].map((name) => {
    const logger = createLogger('debug', `minute-rollups-${name}`, {
      write: (line: string) => {
        const entry = JSON.parse(line) as { msg: string; minutes?: string[] };
        if (entry.msg === '1-minute rollups computed') computedLog.push(entry.minutes!);
      },
    });
    return new MinuteRollups({ ...config, instanceId: `test-${name}` }, logger);
  });

  beforeAll(async () => {
    await ensureRetention(influx, plan);
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.onApplicationShutdown()));
    redis.disconnect();
    await flushPrefix(config);
    await influx.dropDatabase(config.influx.database);
  });

  it('computes each due minute once between two processes, and one whose claim expired', async () => {
    const thisMinute = Math.floor(Date.now() / 60_000);
    const minute = (ago: number) => (thisMinute - ago) * 60_000;
    const lines = [4, 3, 2].map(
      (ago, i) =>
        `building,city=beijing,device_id=mr-1 temperature=${20 + i},occupancy=${i}i ${minute(ago) + 5000}000000`,
    );
    await new InfluxV1Writer({ url: config.influx.url, database: config.influx.database }).write(lines.join('\n'), 0);
    // As if a process died computing the minute 3 minutes ago: its claim expires in a second.
    const stuck = `${config.redis.prefix}:rollups:1m:${minute(3)}`;
    await redis.set(stuck, 'claimed by a process that died', 'PX', 1000);

    for (const p of processes) p.start(plan);
    const rolled = () =>
      influx.query(
        'SELECT "count_temperature", "sum_temperature", "max_occupancy" FROM "rollup_1m"."building" ' +
          `WHERE "device_id" = 'mr-1'`,
      );
    // Done: the minute marked so in Redis and logged by the process that computed it (both come after
    // its points are written, so waiting on the points alone would race them).
    const stuckMinute = new Date(minute(3)).toISOString();
    await waitFor(
      async () => ({ marker: await redis.get(stuck), logged: computedLog.flat().includes(stuckMinute) }),
      (state) => state.marker === 'done' && state.logged,
      { timeoutMs: 45_000, what: 'the minute whose claim expired computed' },
    );
    expect(await rolled()).toEqual(
      [4, 3, 2].map((ago, i) => ({
        time: new Date(minute(ago)).toISOString().replace('.000Z', 'Z'),
        count_temperature: 1,
        sum_temperature: 20 + i,
        max_occupancy: i,
      })),
    );
    // The ten minutes looked back over, each computed by one process only.
    const computed = computedLog.flat();
    expect(new Set(computed).size).toBe(computed.length);
    expect(computed).toContain(stuckMinute);
    // No mean in the 1-minute rollup: sum and count give it.
    const [fields] = await influx.series('SHOW FIELD KEYS FROM "rollup_1m"."building"');
    expect(fields.values!.map(([key]) => key)).toEqual([
      'count_occupancy',
      'count_temperature',
      'max_occupancy',
      'max_temperature',
      'min_occupancy',
      'min_temperature',
      'sum_occupancy',
      'sum_temperature',
    ]);
  });
});
