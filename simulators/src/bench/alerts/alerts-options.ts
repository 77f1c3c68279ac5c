import {
  optionLines,
  readOptions,
  STACK_OPTIONS,
  type OptionSpec,
  type StackOptions,
} from '../common/bench-options.js';

export interface AlertsOptions extends StackOptions {
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
  timeoutS: number;
}

const SPECS = {
  devices: { type: 'string', default: '100', help: 'load devices (electricity meters, one MQTT connection each)' },
  rate: {
    type: 'string',
    default: '16000',
    help: 'load readings/s: half the ingest bench’s all-in-one sustained rate (README)',
  },
  duration: { type: 'string', default: '30', help: 'seconds of load' },
  warmup: {
    type: 'string',
    default: '5',
    help: 'seconds of load before the first crossing (ramp-up, flappers’ burst, cold JIT)',
  },
  crossers: {
    type: 'string',
    default: '40',
    help: 'devices crossing the bench threshold once each, spread over the load',
  },
  flappers: { type: 'string', default: '5', help: 'devices flapping around the threshold every second' },
  'flap-minutes': { type: 'string', default: '10', help: 'minutes (event time) of flapping per episode' },
  episodes: {
    type: 'string',
    default: '2',
    help: 'flapping episodes per flapper, each ending well below the clear level',
  },
  'deadman-devices': {
    type: 'string',
    default: '50000',
    help: 'silent devices for the deadman scale phase (0 skips it)',
  },
  split: { type: 'boolean', default: false, help: 'run citypulse as two processes (broker+api, ingest+alerts)' },
  timeout: { type: 'string', default: '120', help: 'seconds to wait for expected alerts' },
  ...STACK_OPTIONS,
} as const satisfies Record<string, OptionSpec>;

export function alertsHelp(): string {
  return [
    'usage: npm run bench -- alerts [options]',
    '',
    'Starts citypulse as a child process, puts a load of normal readings on it, and meanwhile makes devices',
    'cross a threshold at known times (publish → alert visible on the live stream, p50/p99; expected vs raised)',
    'and flap around it every second (alerts per episode: must be 1). Then watches --deadman-devices silent',
    'devices and measures how long the scheduled deadman check takes to sweep them.',
    '',
    ...optionLines(SPECS, 24),
  ].join('\n');
}

export function parseAlertsOptions(argv: string[]): AlertsOptions | 'help' {
  const read = readOptions(argv, SPECS);
  if (read === 'help') return 'help';
  const options: AlertsOptions = {
    ...read.stack(),
    devices: read.int('devices', 1),
    rate: read.int('rate', 0),
    durationS: read.int('duration', 5),
    warmupS: read.int('warmup', 0),
    crossers: read.int('crossers', 1),
    flappers: read.int('flappers', 0),
    flapMinutes: read.int('flap-minutes', 1),
    episodes: read.int('episodes', 1),
    deadmanDevices: read.int('deadman-devices', 0),
    split: read.flag('split'),
    timeoutS: read.int('timeout', 1),
  };
  if (options.warmupS >= options.durationS) read.problem('--warmup must be shorter than --duration');
  read.done();
  return options;
}
