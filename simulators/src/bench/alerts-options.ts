import { parseArgs } from 'node:util';

export interface AlertsOptions {
  /** Load devices (electricity meters publishing normal readings). */
  devices: number;
  /** Load in readings/s over all devices: half the ingest bench's sustained rate by default. */
  rate: number;
  durationS: number;
  /** Seconds of load before the first crossing. */
  warmupS: number;
  /** Devices that cross a threshold once each, at known times during the load. */
  crossers: number;
  /** Devices whose value flaps around the threshold every second (event time). */
  flappers: number;
  flapMinutes: number;
  episodes: number;
  /** Silent devices under deadman watch in the scale phase; 0 skips it. */
  deadmanDevices: number;
  split: boolean;
  redisUrl: string;
  influxUrl: string;
  keep: boolean;
  outDir: string;
  entry: string;
  timeoutS: number;
}

const SPECS = {
  devices: { type: 'string', default: '100', help: 'load devices (electricity meters, one MQTT connection each)' },
  rate: { type: 'string', default: '16000', help: 'load readings/s: half the ingest bench’s all-in-one sustained rate (README)' },
  duration: { type: 'string', default: '30', help: 'seconds of load' },
  warmup: { type: 'string', default: '5', help: 'seconds of load before the first crossing (ramp-up, flappers’ burst, cold JIT)' },
  crossers: { type: 'string', default: '40', help: 'devices crossing the bench threshold once each, spread over the load' },
  flappers: { type: 'string', default: '5', help: 'devices flapping around the threshold every second' },
  'flap-minutes': { type: 'string', default: '10', help: 'minutes (event time) of flapping per episode' },
  episodes: { type: 'string', default: '2', help: 'flapping episodes per flapper, each ending well below the clear level' },
  'deadman-devices': { type: 'string', default: '50000', help: 'silent devices for the deadman scale phase (0 skips it)' },
  split: { type: 'boolean', default: false, help: 'run citypulse as two processes (broker+api, ingest+alerts)' },
  'redis-url': { type: 'string', default: process.env.CP_REDIS_URL ?? 'redis://127.0.0.1:16379', help: 'Redis (env CP_REDIS_URL)' },
  'influx-url': { type: 'string', default: process.env.CP_INFLUX_URL ?? 'http://127.0.0.1:18086', help: 'InfluxDB 1.x (env CP_INFLUX_URL)' },
  keep: { type: 'boolean', default: false, help: "keep the run's InfluxDB database and Redis keys" },
  'out-dir': { type: 'string', default: '.bench', help: 'where the JSON report and logs go' },
  entry: { type: 'string', default: 'dist/apps/citypulse/src/main.js', help: 'the service entry' },
  timeout: { type: 'string', default: '120', help: 'seconds to wait for expected alerts' },
  help: { type: 'boolean', default: false, help: 'print this' },
} as const;

export function alertsHelp(): string {
  return [
    'usage: npm run bench -- alerts [options]',
    '',
    'Starts citypulse as a child process, puts a load of normal readings on it, and meanwhile makes devices',
    'cross a threshold at known times (publish → alert visible on the live stream, p50/p99; expected vs raised)',
    'and flap around it every second (alerts per episode: must be 1). Then watches --deadman-devices silent',
    'devices and measures how long the scheduled deadman check takes to sweep them.',
    '',
    ...Object.entries(SPECS).map(([name, s]) => `  ${(s.type === 'string' ? `--${name} <v>` : `--${name}`).padEnd(24)} ${s.help}${s.type === 'string' ? ` (default ${s.default})` : ''}`),
  ].join('\n');
}

export function parseAlertsOptions(argv: string[]): AlertsOptions | 'help' {
  const { values } = parseArgs({ args: argv, options: SPECS, strict: true, allowPositionals: false });
  if (values.help) return 'help';
  const problems: string[] = [];
  const int = (name: keyof typeof SPECS, min: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) problems.push(`--${name} must be an integer ≥ ${min}, not ${values[name]}`);
    return n;
  };
  const options: AlertsOptions = {
    devices: int('devices', 1),
    rate: int('rate', 0),
    durationS: int('duration', 5),
    warmupS: int('warmup', 0),
    crossers: int('crossers', 1),
    flappers: int('flappers', 0),
    flapMinutes: int('flap-minutes', 1),
    episodes: int('episodes', 1),
    deadmanDevices: int('deadman-devices', 0),
    split: Boolean(values.split),
    redisUrl: String(values['redis-url']),
    influxUrl: String(values['influx-url']).replace(/\/+$/, ''),
    keep: Boolean(values.keep),
    outDir: String(values['out-dir']),
    entry: String(values.entry),
    timeoutS: int('timeout', 1),
  };
  if (options.warmupS >= options.durationS) problems.push('--warmup must be shorter than --duration');
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return options;
}
