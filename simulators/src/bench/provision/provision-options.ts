import { parseArgs } from 'node:util';
import type { StackOptions } from '../common/bench-options.js';

export interface ProvisionBenchOptions extends StackOptions {
  devices: number;
  /** CONNECTs in flight at once. */
  concurrency: number;
  format: 'json' | 'csv';
  type: string;
  cities: string[];
  /**
   * Close every connection and connect them all again: the reconnect storm after a broker restart, with secrets cached.
   */
  reconnect: boolean;
}

const HELP = `usage: npm run bench -- provision [options]

Starts the broker and the API as two child processes (as in production), provisions --devices
devices in ONE POST /devices/bulk call, connects them all over MQTT (raw mqtt-packet over TCP,
--concurrency CONNECTs in flight), waits until GET /presence/counts shows them all online, and
prints the bulk call time, connect time and rate, CONNECT→CONNACK latency, and the broker's RSS
(read from /proc/<pid>/status) before and after. Other CP_* variables in the environment (e.g.
CP_BULK_SECRET_SCRYPT_N) are passed to the service.

  --devices <n>        devices to provision and connect (default 10000)
  --concurrency <n>    CONNECTs in flight at once (default 100)
  --format json|csv    body of the bulk call (default json)
  --type <name>        device type (default electricity-meter)
  --cities <a,b,c>     cities, round-robin (default beijing,tianjin,shijiazhuang)
  --no-reconnect       skip the second pass (all devices reconnect, secrets cached by the broker)
  --redis-url <url>    (default env CP_REDIS_URL or redis://127.0.0.1:16379)
  --influx-url <url>   only for the API's health check (default env CP_INFLUX_URL or http://127.0.0.1:18086)
  --keep               keep the run's Redis keys
  --out-dir <dir>      JSON report and logs (default .bench)
  --entry <file>       service entry (default dist/apps/citypulse/src/main.js)`;

export function provisionHelp(): string {
  return HELP;
}

export function parseProvisionOptions(argv: string[]): ProvisionBenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      devices: { type: 'string', default: '10000' },
      concurrency: { type: 'string', default: '100' },
      format: { type: 'string', default: 'json' },
      type: { type: 'string', default: 'electricity-meter' },
      cities: { type: 'string', default: 'beijing,tianjin,shijiazhuang' },
      'no-reconnect': { type: 'boolean', default: false },
      'redis-url': { type: 'string', default: process.env.CP_REDIS_URL ?? 'redis://127.0.0.1:16379' },
      'influx-url': { type: 'string', default: process.env.CP_INFLUX_URL ?? 'http://127.0.0.1:18086' },
      keep: { type: 'boolean', default: false },
      'out-dir': { type: 'string', default: '.bench' },
      entry: { type: 'string', default: 'dist/apps/citypulse/src/main.js' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return 'help';
  const problems: string[] = [];
  const positive = (name: string, text: string | undefined) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) problems.push(`--${name} must be a positive integer, got ${text}`);
    return n;
  };
  const devices = positive('devices', values.devices);
  const concurrency = positive('concurrency', values.concurrency);
  if (values.format !== 'json' && values.format !== 'csv')
    problems.push(`--format must be json or csv, got ${values.format}`);
  const cities = (values.cities ?? '').split(',').filter(Boolean);
  if (cities.length === 0 || cities.some((c) => !/^[a-z0-9][a-z0-9-]{0,39}$/.test(c)))
    problems.push(`--cities must be lower-case slugs separated by commas, got ${values.cities}`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return {
    devices,
    concurrency,
    format: values.format as 'json' | 'csv',
    type: values.type,
    cities,
    reconnect: !values['no-reconnect'],
    redisUrl: values['redis-url'],
    influxUrl: values['influx-url'],
    keep: values.keep,
    outDir: values['out-dir'],
    entry: values.entry,
  };
}
