import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { HandoffDurability } from '@citypulse/handoff';
import type { DurabilityRedis } from './durability-redis.js';
import type { MeterLoad } from '../common/meter-load.js';

/** CP_HANDOFF_DURABILITY's levels, the default first: the others are compared with it. */
const DURABILITY_LEVELS = ['everysec', 'always', 'replica'] as const satisfies readonly HandoffDurability[];

export interface IngestOptions {
  devices: number;
  durationS: number;
  /** First seconds of publishing whose PUBACK latency is reported apart (JIT, pools, heap growth). */
  warmupS: number;
  window: number;
  /** Readings/s over all devices; 0 = unlimited. */
  rate: number;
  batch: number;
  /** broker+api and ingest+alerts as two processes instead of the all-in-one. */
  split: boolean;
  /** CP_MQTT_CLUSTER of the broker: `redis` runs it as a member of a broker cluster (alone in it). */
  mqttCluster: 'none' | 'redis';
  baselines: boolean;
  baselineDurationS: number;
  baselineSubscriberQos: 0 | 1;
  ceilingLines: number;
  ceilingTrials: number;
  redisUrl: string;
  influxUrl: string;
  keep: boolean;
  profile: boolean;
  drainTimeoutS: number;
  outDir: string;
  mosquitto: string;
  entry: string;
  /** Extra node flags for the service processes (e.g. --max-semi-space-size=64). */
  nodeArgs: string[];
  /**
   * After the TCP pass, the same devices publish over the TLS listener; then a CONNECT storm over TCP, TLS and resumed
   * TLS.
   */
  tls: boolean;
  /**
   * Levels of CP_HANDOFF_DURABILITY to compare in one run, in this order, `everysec` among them
   * (empty: the ordinary single pass). Each runs the same load against a service on private redis-servers set up for
   * it.
   */
  durability: HandoffDurability[];
  /**
   * Where the --durability passes run: one private Redis (and its replica), or a private three-master Redis Cluster
   * (with a replica each).
   */
  durabilityRedis: DurabilityRedis;
  /** Whole passes (ours, then the baselines), one after another; the summary gives each figure's median. */
  repeat: number;
}

interface OptionSpec {
  type: 'string' | 'boolean';
  default: string | boolean | string[];
  help: string;
  multiple?: boolean;
}

const SPECS: Record<string, OptionSpec> = {
  devices: { type: 'string', default: '100', help: 'simulated electricity meters (one MQTT connection each)' },
  duration: { type: 'string', default: '30', help: 'seconds of publishing' },
  warmup: {
    type: 'string',
    default: '3',
    help: 'first seconds of publishing whose PUBACK latency is reported apart (still counted in every total)',
  },
  window: { type: 'string', default: '16', help: 'QoS 1 publishes in flight per device' },
  rate: { type: 'string', default: '0', help: 'cap in readings/s over all devices; 0 = as fast as PUBACKs come back' },
  batch: { type: 'string', default: '1', help: 'readings per publish; >1 sends {"readings":[...]}' },
  split: {
    type: 'boolean',
    default: false,
    help: 'run citypulse as two processes (broker+api, ingest+alerts) instead of all-in-one',
  },
  cluster: {
    type: 'string',
    default: process.env.CP_MQTT_CLUSTER ?? 'none',
    help: "the broker's CP_MQTT_CLUSTER: none, or redis (a cluster member sharing MQTT state through Redis)",
  },
  'no-baselines': {
    type: 'boolean',
    default: false,
    help: 'skip the baselines: InfluxDB ceiling, Mosquitto forwarding, plain bridge',
  },
  'baseline-duration': { type: 'string', default: '10', help: 'seconds of publishing for the Mosquitto baseline' },
  'baseline-sub-qos': {
    type: 'string',
    default: '1',
    help: "QoS of the Mosquitto baseline's counting subscriber and of the plain bridge's subscriber (0 or 1)",
  },
  'ceiling-lines': { type: 'string', default: '300000', help: 'lines written per InfluxDB ceiling trial' },
  'ceiling-trials': { type: 'string', default: '3', help: 'InfluxDB ceiling trials; the ceiling is the best' },
  // The same commit measured ×0.88 and ×0.97 the plain bridge in two runs half an hour apart: one
  // run's ratio is one sample; the median of rounds is a figure to compare.
  repeat: {
    type: 'string',
    default: '1',
    help: 'whole passes (ours, then its baselines) one after another; prints each round and the medians of the ratios',
  },
  // The stack's ports (scripts/stack.sh) unless CP_REDIS_URL / CP_INFLUX_URL say otherwise.
  'redis-url': {
    type: 'string',
    default: process.env.CP_REDIS_URL ?? 'redis://127.0.0.1:16379',
    help: 'Redis for the service (env CP_REDIS_URL)',
  },
  'influx-url': {
    type: 'string',
    default: process.env.CP_INFLUX_URL ?? 'http://127.0.0.1:18086',
    help: 'InfluxDB 1.x (env CP_INFLUX_URL)',
  },
  keep: { type: 'boolean', default: false, help: "keep the run's InfluxDB database and Redis keys" },
  profile: {
    type: 'boolean',
    default: false,
    help: 'run the service with --cpu-prof into <out-dir>/profiles and summarise it',
  },
  'drain-timeout': { type: 'string', default: '120', help: 'seconds to wait for stored to reach PUBACKed' },
  'out-dir': { type: 'string', default: '.bench', help: 'where the JSON report, logs and profiles go' },
  mosquitto: { type: 'string', default: '/usr/sbin/mosquitto', help: 'mosquitto binary for the baselines' },
  entry: {
    type: 'string',
    default: 'dist/apps/citypulse/src/main.js',
    help: 'the service entry (built by npm run build)',
  },
  'node-arg': {
    type: 'string',
    multiple: true,
    default: [],
    help: 'extra node flag for the service, repeatable (e.g. --node-arg=--max-semi-space-size=64)',
  },
  tls: {
    type: 'boolean',
    default: false,
    help:
      'then publish over TLS too (same devices, same duration) and compare: readings/s ratio, CONNECT storm ' +
      'with and without TLS session resumption, broker RSS per connection',
  },
  durability: {
    type: 'string',
    default: '',
    help:
      'compare CP_HANDOFF_DURABILITY levels in one run, e.g. everysec,always,replica, in that order (everysec ' +
      'is always measured: first unless placed): the same load per level against a fresh service on private ' +
      'redis-servers under <out-dir>/redis (appendfsync always; a master with a replica); no baselines',
  },
  'durability-redis': {
    type: 'string',
    default: 'single',
    help:
      'with --durability: single (one private Redis; a replica at replica) or cluster (a private three-master ' +
      'Redis Cluster; a replica each at replica)',
  },
  help: { type: 'boolean', default: false, help: 'print this' },
};

export function ingestHelp(): string {
  const rows = Object.entries(SPECS).map(([name, spec]) => {
    const flag = spec.type === 'string' ? `--${name} <v>` : `--${name}`;
    const fallback = spec.type === 'string' && !spec.multiple ? ` (default ${String(spec.default)})` : '';
    return `  ${flag.padEnd(26)} ${spec.help}${fallback}`;
  });
  return [
    'usage: npm run bench -- ingest [options]',
    '',
    'Starts citypulse as a child process against a fresh InfluxDB database and Redis prefix, provisions',
    'devices, publishes QoS 1 telemetry over TCP for --duration seconds, waits for the pipeline to drain,',
    'counts what InfluxDB stored, and prints (and writes as JSON) throughput, latency, memory and baselines.',
    'Other CP_* variables in the environment (e.g. CP_INGEST_CONCURRENCY) are passed to the service.',
    '',
    ...rows,
  ].join('\n');
}

/** Parses and checks the options; throws one error naming every bad one. */
export function parseIngestOptions(argv: string[]): IngestOptions | 'help' {
  const options = Object.fromEntries(
    Object.entries(SPECS).map(([name, s]) => [
      name,
      { type: s.type, default: s.default, multiple: s.multiple ?? false },
    ]),
  ) as ParseArgsConfig['options'];
  const values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<
    string,
    string | boolean | string[] | undefined
  >;
  if (values.help) return 'help';
  const problems: string[] = [];
  const int = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max)
      problems.push(`--${name} must be an integer from ${min} to ${max}, not ${String(values[name])}`);
    return n;
  };
  const parsed: IngestOptions = {
    devices: int('devices', 1, 100_000),
    durationS: int('duration', 1),
    warmupS: int('warmup', 0),
    window: int('window', 1, 65_535),
    rate: int('rate', 0),
    // The broker refuses larger batches (CP_MAX_BATCH_READINGS, default 1000).
    batch: int('batch', 1, 1000),
    split: Boolean(values.split),
    mqttCluster: values.cluster === 'redis' ? 'redis' : 'none',
    baselines: !values['no-baselines'],
    baselineDurationS: int('baseline-duration', 1),
    baselineSubscriberQos: int('baseline-sub-qos', 0, 1) as 0 | 1,
    ceilingLines: int('ceiling-lines', 1000),
    ceilingTrials: int('ceiling-trials', 1, 20),
    redisUrl: String(values['redis-url']),
    influxUrl: String(values['influx-url']).replace(/\/+$/, ''),
    keep: Boolean(values.keep),
    profile: Boolean(values.profile),
    drainTimeoutS: int('drain-timeout', 1),
    outDir: String(values['out-dir']),
    mosquitto: String(values.mosquitto),
    entry: String(values.entry),
    nodeArgs: (values['node-arg'] as string[] | undefined) ?? [],
    tls: Boolean(values.tls),
    durability: parseDurabilityLevels(String(values.durability), problems),
    durabilityRedis: values['durability-redis'] === 'cluster' ? 'cluster' : 'single',
    repeat: int('repeat', 1, 20),
  };
  if (values['durability-redis'] !== 'single' && values['durability-redis'] !== 'cluster')
    problems.push(`--durability-redis must be single or cluster, not ${String(values['durability-redis'])}`);
  if (parsed.durability.length > 0) {
    // Those passes are other runs of their own (a second transport, a profile), not part of the comparison.
    for (const flag of ['tls', 'profile'] as const)
      if (values[flag]) problems.push(`--${flag} cannot be combined with --durability`);
  }
  if (parsed.repeat > 1) {
    // Those are comparisons of their own, each pass already beside the others.
    for (const flag of ['tls', 'durability'] as const)
      if (values[flag]) problems.push(`--repeat cannot be combined with --${flag}`);
  }
  if (values.cluster !== 'none' && values.cluster !== 'redis')
    problems.push(`--cluster must be none or redis, not ${String(values.cluster)}`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return parsed;
}

/**
 * `everysec,always,replica` → the levels, each once, everysec first unless placed; '' → none. Bad names go to
 * `problems`.
 */
export function parseDurabilityLevels(text: string, problems: string[]): HandoffDurability[] {
  if (text === '') return [];
  const asked = text.split(',').map((level) => level.trim());
  const unknown = asked.filter((level) => !(DURABILITY_LEVELS as readonly string[]).includes(level));
  if (unknown.length > 0) {
    problems.push(
      `--durability takes levels out of ${DURABILITY_LEVELS.join(', ')} separated by commas, ` +
        `not ${unknown.map((u) => JSON.stringify(u)).join(', ')}`,
    );
    return [];
  }
  // In the order asked (a second run in the opposite order shows what came from going first), everysec always among
  // them.
  const levels = [...new Set(asked)] as HandoffDurability[];
  return levels.includes('everysec') ? levels : ['everysec', ...levels];
}

/**
 * The load the options ask for: our pass's, and the plain bridge's (the same window, rate, batch, duration, warm-up).
 */
export function meterLoadOf(options: IngestOptions): MeterLoad {
  return {
    window: options.window,
    durationS: options.durationS,
    warmupS: options.warmupS,
    rate: options.rate,
    batch: options.batch,
    settleTimeoutMs: 30_000,
  };
}
