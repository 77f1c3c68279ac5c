import { parseArgs } from 'node:util';
import { captureFromInflux } from '../capture/from-influx.js';
import { UsageError } from './args.js';
import { influxClient, INFLUX_OPTIONS, parseCities, parseTimeRange, parseTypes } from './history-options.js';
import { serviceConfig } from './target.js';

/**
 * `sim capture --from-influx`: builds a capture from stored history — a city's readings (of some
 * types) over a range, in time order — that replays and backtests like a simulator's.
 */
export async function captureCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'from-influx': { type: 'boolean', default: false },
      city: { type: 'string' },
      types: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      last: { type: 'string' },
      out: { type: 'string', short: 'o' },
      ...INFLUX_OPTIONS,
    },
  });
  if (!values['from-influx'])
    throw new UsageError('capture from where? --from-influx (live traffic: npm run sim -- tap)');
  const cities = parseCities(values.city);
  const types = parseTypes(values.types);
  const range = parseTimeRange(values, '--from-influx');
  if (!values.out) throw new UsageError('--out: the capture file to write, e.g. --out beijing-history.ndjson.gz');
  const influx = influxClient(values, serviceConfig());
  console.log(
    `reading ${cities.join(', ')}${types ? ` (${types.join(', ')})` : ''} ${new Date(range.fromMs).toISOString()} ` +
      `… ${new Date(range.toMs).toISOString()} from InfluxDB …`,
  );
  const started = performance.now();
  const summary = await captureFromInflux(influx, { ...range, cities, types }, values.out);
  const seconds = (performance.now() - started) / 1000;
  console.log(`captured    ${summary.lines} readings to ${summary.path} in ${seconds.toFixed(1)} s`);
  console.log(`sha256      ${summary.sha256}`);
}
