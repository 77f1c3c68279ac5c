import { createLogger } from '@citypulse/observability';
import { InfluxQueryClient, showRetentionPolicies } from '@citypulse/storage';
import { freePort, testConfig, waitFor } from '@citypulse/testing';
import { RetentionSetup } from './retention-setup.service.js';
import { LateRollups } from './late-rollups.service.js';
import { MinuteRollups } from './minute-rollups.service.js';
import { IngestedMinutes } from './ingested-minutes.service.js';

/**
 * The start-up step of an ingest process against real servers: InfluxDB 1.6.7 gets the retention
 * policies, VictoriaMetrics (a v2 write server) is left alone, and an unreachable InfluxDB is
 * retried without holding up the shutdown.
 */
describe('retention set-up at ingest start', () => {
  function started(overrides: Record<string, string>) {
    const lines: Array<Record<string, unknown>> = [];
    const config = testConfig(overrides);
    const logger = createLogger('info', 'retention-test', {
      write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const minuteRollups = new MinuteRollups(config, logger);
    const lateRollups = new LateRollups(config, logger);
    const ingestedMinutes = new IngestedMinutes(config, logger);
    const setup = new RetentionSetup(config, logger, minuteRollups, lateRollups, ingestedMinutes);
    /** What Nest's shutdown would do: each provider's hook. */
    const stop = async () => {
      await setup.onApplicationShutdown();
      await lateRollups.close();
      await ingestedMinutes.close();
      await minuteRollups.onApplicationShutdown();
    };
    setup.onApplicationBootstrap();
    return { config, stop, lines };
  }

  it('sets the policies up on InfluxDB 1.x and logs what it did', async () => {
    const { config, stop, lines } = started({ CP_RETENTION_RAW: '14d' });
    const client = new InfluxQueryClient({ url: config.influx.url, database: config.influx.database });
    try {
      await waitFor(
        () => lines.find((l) => l.msg === 'retention policies and rollup continuous queries in place'),
        (l) => l !== undefined,
        { what: 'the set-up log line' },
      );
      const policies = await showRetentionPolicies(client, config.influx.database);
      expect(policies.map((p) => [p.name, p.duration])).toEqual([
        ['autogen', '336h0m0s'],
        ['rollup_1h', '43680h0m0s'],
        ['rollup_1m', '4320h0m0s'],
      ]);
    } finally {
      await stop();
      await client.dropDatabase(config.influx.database);
    }
  });

  it('changes nothing on VictoriaMetrics', async () => {
    const { stop, lines } = started({ CP_INFLUX_URL: process.env.CP_TEST_VICTORIA_URL ?? 'http://127.0.0.1:18428' });
    await waitFor(
      () =>
        lines.find((l) => typeof l.msg === 'string' && l.msg.includes('retention and rollups are its own settings')),
      (l) => l !== undefined,
      { what: 'the skip log line' },
    );
    await stop();
  });

  it('retries while InfluxDB cannot be reached, and stops at once at shutdown', async () => {
    const { stop, lines } = started({ CP_INFLUX_URL: `http://127.0.0.1:${await freePort()}` });
    await waitFor(
      () => lines.filter((l) => l.msg === 'setting up InfluxDB retention and rollups failed; retrying'),
      (l) => l.length >= 2,
      { what: 'two attempts' },
    );
    const stopping = Date.now();
    await stop();
    expect(Date.now() - stopping).toBeLessThan(1000);
  });

  it('does nothing with CP_RETENTION_MANAGE=false', async () => {
    const { config, stop } = started({ CP_RETENTION_MANAGE: 'false' });
    await stop();
    const databases = await new InfluxQueryClient({ url: config.influx.url, database: config.influx.database }).query(
      'SHOW DATABASES',
    );
    expect(databases.map((d) => d.name)).not.toContain(config.influx.database);
  });
});
