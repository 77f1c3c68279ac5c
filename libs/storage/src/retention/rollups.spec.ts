import { continuousQuery, ROLLUPS, rollupSelect, shardDurationFor } from './rollups.js';
import { influxDurationMs } from './retention-policies.js';

const [hourly, minutely] = ROLLUPS;

describe('rollup InfluxQL', () => {
  it('rolls every numeric field of the named measurements up into the rollup policy, keeping tags', () => {
    expect(rollupSelect('cp', 'autogen', minutely, ['building', 'energy'], 'time >= 0ms AND time < 60000ms')).toBe(
      'SELECT mean(*), min(*), max(*), sum(*), count(*) INTO "cp"."rollup_1m".:MEASUREMENT FROM ' +
        '"cp"."autogen"."building", "cp"."autogen"."energy" ' +
        'WHERE time >= 0ms AND time < 60000ms GROUP BY time(1m), *',
    );
  });

  it('names a continuous query after a hash of its text: the same plan the same name, a changed one another', () => {
    const cq = continuousQuery('cp', 'autogen', hourly, ['building']);
    expect(cq.statement).toMatch(
      /^CREATE CONTINUOUS QUERY "cp_rollup_1h_[0-9a-f]{8}" ON "cp" RESAMPLE EVERY 15m FOR 2h BEGIN SELECT .* GROUP BY time\(1h\), \* END$/,
    );
    expect(continuousQuery('cp', 'autogen', hourly, ['building']).name).toBe(cq.name);
    expect(continuousQuery('cp', 'autogen', hourly, ['building', 'traffic']).name).not.toBe(cq.name);
    expect(continuousQuery('cp', 'raw', hourly, ['building']).name).not.toBe(cq.name);
  });

  it('gives each retention duration the shard length InfluxDB 1.x would pick for it', () => {
    expect(shardDurationFor(36 * 3_600_000)).toBe('1h');
    expect(shardDurationFor(30 * 86_400_000)).toBe('1d');
    expect(shardDurationFor(180 * 86_400_000)).toBe('1d');
    expect(shardDurationFor(260 * 7 * 86_400_000)).toBe('7d');
    expect(shardDurationFor(Number.POSITIVE_INFINITY)).toBe('7d');
  });

  it('reads the durations SHOW RETENTION POLICIES prints, 0s being INF', () => {
    expect(influxDurationMs('720h0m0s')).toBe(30 * 86_400_000);
    expect(influxDurationMs('1h30m0s')).toBe(5_400_000);
    expect(influxDurationMs('0s')).toBe(Number.POSITIVE_INFINITY);
  });
});
