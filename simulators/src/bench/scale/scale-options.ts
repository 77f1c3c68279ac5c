import {
  optionLines,
  readOptions,
  STACK_OPTIONS,
  type OptionSpec,
  type StackOptions,
} from '../common/bench-options.js';

export type RedisMode = 'single' | 'cluster';

export interface ScaleOptions extends StackOptions {
  /** Process counts per role to measure, e.g. [1, 2]: K brokers, K ingest, K alerts (one api). */
  ks: number[];
  modes: RedisMode[];
  /** Seed nodes of the Redis Cluster (host:port), for the cluster mode. */
  clusterNodes: string[];
  devices: number;
  durationS: number;
  warmupS: number;
  window: number;
  /** Readings/s over all devices at the smallest K (see `load`); 0 = as fast as PUBACKs come back. */
  rate: number;
  /**
   * 'fixed': the same devices and rate at every K (each process sees 1/K of it). 'per-process':
   * devices and rate × K / smallest K, so each process sees the same load at every K (weak scaling).
   */
  load: 'fixed' | 'per-process';
  /** How far a per-reading cost may move from the smallest K to the others and still be flat, in %. */
  tolerancePercent: number;
  drainTimeoutS: number;
  /** Seconds at rest (devices connected, nothing published) whose CPU rate gives the net per-reading cost; 0 = skip. */
  idleS: number;
  /**
   * Seconds of the same load before the measured one, not counted (one-time costs of each process's first readings).
   */
  primeS: number;
  /** Write a V8 CPU profile per process (.bench/profiles/) and print where each spent its time. */
  profile: boolean;
  /** Rounds of every configuration, interleaved; the verdict compares each cost's median over them. */
  repeat: number;
  /** auto: brokers clustered (CP_MQTT_CLUSTER=redis) only when K > 1; always: at K = 1 too. */
  clusterBrokers: 'auto' | 'always';
}

const SPECS = {
  ks: {
    type: 'string',
    default: '1,2',
    help: 'processes per role (broker, ingest, alerts) to measure, comma-separated',
  },
  modes: {
    type: 'string',
    default: 'single,cluster',
    help: 'Redis modes: single (--redis-url) and/or cluster (--cluster-nodes)',
  },
  'cluster-nodes': {
    type: 'string',
    default: process.env.CP_REDIS_CLUSTER_NODES || '127.0.0.1:17001,127.0.0.1:17002,127.0.0.1:17003',
    help: 'Redis Cluster seed nodes, host:port,… (env CP_REDIS_CLUSTER_NODES; npm run stack -- up redis-cluster)',
  },
  devices: {
    type: 'string',
    default: '100',
    help: 'simulated electricity meters (one MQTT connection each), dealt out over the brokers',
  },
  duration: { type: 'string', default: '20', help: 'seconds of publishing per configuration' },
  warmup: { type: 'string', default: '2', help: 'first seconds whose PUBACK latency is kept apart (still counted)' },
  window: { type: 'string', default: '16', help: 'QoS 1 publishes in flight per device' },
  rate: {
    type: 'string',
    default: '8000',
    help: 'readings/s over all devices at the smallest K (see --load); 0 = as fast as PUBACKs come back',
  },
  // An event-driven process's cost per reading falls as its load rises (more readings per socket
  // read, per Redis write, per InfluxDB write): at a fixed total, K processes each run at 1/K the
  // load. per-process keeps each process's load, which is how one plans adding processes.
  load: {
    type: 'string',
    default: 'fixed',
    help:
      'fixed: the same devices and rate at every K; per-process: devices and rate grow with K (each process ' +
      'sees the same load)',
  },
  tolerance: {
    type: 'string',
    default: '15',
    help: 'largest change of a per-reading cost from the smallest K that still counts as flat, in %',
  },
  // 3 s left K=2's processes, each seeing half the readings, still compiling their hot paths in
  // the measured window (alerts +57 % per reading at 3 s, +19 % at 15 s, same readings per job).
  prime: {
    type: 'string',
    default: '15',
    help:
      "seconds of the same load before the measured one, not counted: keeps each process's one-time start costs " +
      '(lazy loads, JIT tiering, which at K processes sees 1/K of the readings) out; 0 = none',
  },
  idle: {
    type: 'string',
    default: '4',
    help:
      'seconds at rest before the load, whose CPU rate per process is reported and taken off for the net cost; ' +
      '0 = skip',
  },
  profile: {
    type: 'boolean',
    default: false,
    help: 'CPU-profile every citypulse process (--cpu-prof, start-up and rest included) and print its top functions',
  },
  // One run's per-role figures moved 15–40 points between runs of the same commit on this machine:
  // one sample per configuration cannot tell a role's growth from noise, a median of rounds can.
  repeat: {
    type: 'string',
    default: '1',
    help:
      'rounds of every configuration, interleaved (K=1, K=2, K=1, …) so drift hits each K alike; the verdict ' +
      "compares each cost's median over the rounds",
  },
  // Separates what clustering costs a broker from what a second process costs: with `always`, K = 1
  // runs the clustered broker alone, so K = 1 → 2 changes only the process count.
  'cluster-brokers': {
    type: 'string',
    default: 'auto',
    help: 'auto: brokers clustered (CP_MQTT_CLUSTER=redis) only when K > 1; always: at K = 1 too',
  },
  'drain-timeout': { type: 'string', default: '120', help: 'seconds to wait for stored to reach PUBACKed' },
  ...STACK_OPTIONS,
} as const satisfies Record<string, OptionSpec>;

export function scaleHelp(): string {
  return [
    'usage: npm run bench -- scale [options]',
    '',
    'Scale-out cost per reading. For each Redis mode (one Redis; a Redis Cluster) and each K, starts',
    'K broker, K ingest and K alerts processes (one app each, from dist/) plus one api, spreads the',
    'devices over the K brokers (CP_MQTT_CLUSTER=redis when K > 1), drives the same QoS 1 load, waits',
    'until InfluxDB holds every PUBACKed reading and the rule queue is empty, and reports: readings/s',
    'end to end, lost (PUBACKed − stored), CPU µs per reading of each role (its processes summed, from',
    '/proc/<pid>/stat over publish start → drained), Redis commands and pub/sub messages per reading',
    "(INFO commandstats deltas summed over every master). Target: the whole path's cost per reading",
    '(ours + Redis) flat within --tolerance from the smallest K to the others, and 0 lost; a second',
    'verdict holds every role to it on its own. Before the load, --idle seconds at rest give each',
    "process's fixed CPU rate; the report also shows CPU per reading net of it (gross − rate × window),",
    'beside the gross, to tell fixed cost from per-reading work (the verdict is on the gross). A',
    '--prime run of the same load goes first, not counted, so one-time start costs stay out. Other',
    'CP_* variables in the environment (e.g. CP_HANDOFF_PARTITIONS) are passed to the service. Two',
    'cores cannot show the total growing with K; they can show the cost per reading staying flat.',
    '--repeat N measures every configuration N times, interleaved, and judges the medians.',
    'Exit code 1 when a target is missed.',
    '',
    ...optionLines(SPECS, 22),
  ].join('\n');
}

/** Parses and checks the options; throws one error naming every bad one. */
export function parseScaleOptions(argv: string[]): ScaleOptions | 'help' {
  const v = readOptions(argv, SPECS);
  if (v === 'help') return 'help';
  const ks = [...new Set(v.string('ks').split(',').map(Number))].sort((a, b) => a - b);
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1 || k > 8))
    v.problem(`--ks must be integers from 1 to 8, e.g. 1,2, not ${v.string('ks')}`);
  const modes = [...new Set(v.string('modes').split(','))];
  if (modes.length === 0 || modes.some((m) => m !== 'single' && m !== 'cluster'))
    v.problem(`--modes must be single, cluster or single,cluster, not ${v.string('modes')}`);
  const clusterNodes = v.string('cluster-nodes').split(',').filter(Boolean);
  if (
    modes.includes('cluster') &&
    (clusterNodes.length === 0 || clusterNodes.some((n) => !/^[\w.-]+:\d{1,5}$/.test(n)))
  ) {
    v.problem(`--cluster-nodes must be host:port,…, not ${v.string('cluster-nodes')}`);
  }
  const options: ScaleOptions = {
    ...v.stack(),
    ks,
    modes: modes as RedisMode[],
    clusterNodes,
    devices: v.int('devices', 1, 100_000),
    durationS: v.int('duration', 1),
    warmupS: v.int('warmup', 0),
    window: v.int('window', 1, 65_535),
    rate: v.int('rate', 0),
    load: v.oneOf('load', ['fixed', 'per-process'] as const),
    tolerancePercent: v.int('tolerance', 0, 1000),
    drainTimeoutS: v.int('drain-timeout', 1),
    idleS: v.int('idle', 0, 600),
    profile: v.flag('profile'),
    primeS: v.int('prime', 0, 600),
    repeat: v.int('repeat', 1, 20),
    clusterBrokers: v.oneOf('cluster-brokers', ['auto', 'always'] as const),
  };
  v.done();
  return options;
}

/** Devices and readings/s at K processes per role: the same at every K, or × K / smallest K (--load per-process). */
export function loadAt(
  options: Pick<ScaleOptions, 'devices' | 'rate' | 'load' | 'ks'>,
  k: number,
): { devices: number; rate: number } {
  const factor = options.load === 'per-process' ? k / Math.min(...options.ks) : 1;
  return { devices: Math.round(options.devices * factor), rate: Math.round(options.rate * factor) };
}

/**
 * CP_MQTT_CLUSTER for the brokers at K: several brokers must share their MQTT state; one does with --mqtt-cluster
 * always.
 */
export function mqttClusterAt(options: Pick<ScaleOptions, 'clusterBrokers'>, k: number): 'redis' | 'none' {
  return k > 1 || options.clusterBrokers === 'always' ? 'redis' : 'none';
}
