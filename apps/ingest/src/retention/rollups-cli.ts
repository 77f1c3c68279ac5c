import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@citypulse/config';
import { backfillRollups, ensureRetention, InfluxQueryClient } from '@citypulse/storage';
import { retentionPlanOf, telemetryMeasurements } from './retention-plan.js';

const HELP = `citypulse retention and rollups on InfluxDB 1.x — npm run rollups -- <command> [options]

  setup
        creates or alters the retention policies and rollup continuous queries as CP_INFLUX_DB and
        CP_RETENTION_* say (what an ingest process does at start); idempotent.
  backfill --from <ISO time> [--to <ISO time, default now>] [--rollup 1m|1h]
        computes the 1-minute and 1-hour rollups of raw readings already stored in that range
        (after an import or a restore: continuous queries only look back minutes); idempotent.

Reads the same environment as citypulse (CP_INFLUX_URL, CP_INFLUX_DB, CP_INFLUX_TOKEN, CP_RETENTION_*).`;

class UsageError extends Error {}

function timeOption(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const ms = value === undefined ? Number.NaN : Date.parse(value);
  if (Number.isNaN(ms))
    throw new UsageError(`--${name} ${value ?? ''}: expected an ISO 8601 time, e.g. 2026-11-01T00:00:00Z`);
  return ms;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help') return void console.log(HELP);
  // The admin token is not used here; a placeholder lets loadConfig check the rest.
  const config = loadConfig({ CP_API_TOKEN: 'unused-by-the-rollups-cli', ...process.env });
  const { influx } = config;
  const client = new InfluxQueryClient({ url: influx.url, database: influx.database, token: influx.token });
  if (command === 'setup') {
    parseArgs({ args: rest, options: {} });
    console.log(JSON.stringify(await ensureRetention(client, retentionPlanOf(config)), null, 2));
    return;
  }
  if (command === 'backfill') {
    const { values } = parseArgs({
      args: rest,
      options: { from: { type: 'string' }, to: { type: 'string' }, rollup: { type: 'string' } },
    });
    const fromMs = timeOption('from', values.from);
    const toMs = timeOption('to', values.to, Date.now());
    if (!(fromMs < toMs)) throw new UsageError('--from must be before --to');
    if (values.rollup !== undefined && values.rollup !== '1m' && values.rollup !== '1h')
      throw new UsageError(`--rollup ${values.rollup}: expected 1m or 1h`);
    const result = await backfillRollups(client, {
      database: influx.database,
      measurements: telemetryMeasurements(),
      fromMs,
      toMs,
      ...(values.rollup && { rollups: [values.rollup] }),
      onChunk: ({ rollup, fromMs: from, written }) =>
        console.error(`${rollup} ${new Date(from).toISOString()}: ${written} rollup points`),
    });
    console.log(
      `rolled up ${new Date(result.fromMs).toISOString()} ` +
        `– ${new Date(result.toMs).toISOString()}: ${result.written['1m']} 1-minute and ${result.written['1h']} ` +
        `1-hour points`,
    );
    return;
  }
  throw new UsageError(`unknown command ${command}; npm run rollups -- help`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage =
    error instanceof UsageError ||
    error instanceof ConfigError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = usage ? 2 : 1;
});
