import {
  optionLines,
  readOptions,
  STACK_OPTIONS,
  type OptionSpec,
  type StackOptions,
} from '../common/bench-options.js';

export interface SoakOptions extends StackOptions {
  devices: number;
  /** Readings/s over all devices, held for the whole run. */
  rate: number;
  durationS: number;
  /** Seconds between samples. */
  sampleS: number;
  window: number;
  drainTimeoutS: number;
}

const SPECS = {
  devices: { type: 'string', default: '100', help: 'simulated electricity meters (one MQTT connection each)' },
  rate: {
    type: 'string',
    default: '19000',
    help: 'readings/s over all devices: half the ingest bench’s --split sustained rate (38,021/s, README)',
  },
  duration: { type: 'string', default: '1800', help: 'seconds of load (30 minutes)' },
  sample: {
    type: 'string',
    default: '60',
    help: 'seconds between samples (RSS, event-loop lag, stream and queue depths)',
  },
  window: { type: 'string', default: '16', help: 'QoS 1 publishes in flight per device' },
  'drain-timeout': { type: 'string', default: '300', help: 'seconds to wait at the end for stored to reach PUBACKed' },
  ...STACK_OPTIONS,
} as const satisfies Record<string, OptionSpec>;

export function soakHelp(): string {
  return [
    'usage: npm run bench -- soak [options]',
    '',
    'Starts citypulse split into two processes (broker+api, ingest+alerts) against a fresh InfluxDB',
    'database and Redis prefix, holds --rate readings/s (QoS 1, the ingest bench’s load generator) for',
    '--duration seconds, and every --sample seconds records each process’s RSS, V8 heap and event-loop',
    'lag (p99/max since the previous sample), the hand-off stream’s depth and pending entries, and the',
    'BullMQ queue depths. Prints a row per sample and a verdict on flatness (RSS slope over the last',
    'two thirds, first vs last 5 samples, lag and depths not trending up), then waits for the pipeline',
    'to drain and counts what InfluxDB stored: 0 lost. Writes everything as JSON. Not run in CI.',
    '',
    ...optionLines(SPECS, 24),
  ].join('\n');
}

export function parseSoakOptions(argv: string[]): SoakOptions | 'help' {
  const read = readOptions(argv, SPECS);
  if (read === 'help') return 'help';
  const options: SoakOptions = {
    ...read.stack(),
    devices: read.int('devices', 1),
    rate: read.int('rate', 1),
    durationS: read.int('duration', 10),
    sampleS: read.int('sample', 1),
    window: read.int('window', 1),
    drainTimeoutS: read.int('drain-timeout', 1),
  };
  if (options.sampleS * 3 > options.durationS) read.problem('--duration must hold at least 3 samples (--sample × 3)');
  read.done();
  return options;
}
