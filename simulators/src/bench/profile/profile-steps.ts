/**
 * Where the microseconds of one reading go: a CPU profile's self time attributed to named steps of
 * the reading path, by a small declarative table of frame patterns (URL and/or function name →
 * step), divided by the readings stored in the profiled window.
 *
 * A sample is charged to the step of the innermost frame on its stack that a rule names: a
 * native builtin (JSON.parse, a socket write) or Node's own stream code has no rule, so it goes to
 * the first caller that has one — JSON.parse inside the payload decoder is validation, a `writev`
 * under mqtt-packet's writer is the PUBACK write. Library rules (ioredis, BullMQ, undici) name a
 * step only when no caller up the stack does: a Redis write flushed by ioredis's auto-pipelining
 * runs from a timer with none of our code above it, so it is charged to what that process uses
 * Redis for; in a process running several roles that is ambiguous and the step says so.
 */

export type ReadingRole = 'broker' | 'ingest' | 'alerts';

/** What of a V8 .cpuprofile the attribution reads (profile-summary's CpuProfile has it). */
interface Profile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface StepRule {
  step: string;
  /** Matches the frame's URL (e.g. `file:///…/dist/apps/broker/src/hooks/authorize-publish.js`). */
  url?: RegExp;
  /** Matches the frame's function name (V8's own buckets: `(garbage collector)`, `(program)`). */
  fn?: RegExp;
  /**
   * Library code: the step only if no frame up the stack matches a non-library rule. Library rules with the same
   * key in several roles of one process merge into one step naming them all.
   */
  library?: string;
}

const IOREDIS = /\/node_modules\/(ioredis|@ioredis|redis-parser|standard-as-callback|cluster-key-slot|denque)\//;
const BULLMQ = /\/node_modules\/(bullmq|msgpackr|cron-parser)\//;
const HTTP_CLIENT = /^node:(internal\/deps\/undici|_http_client|_http_agent)/;

/** The steps of each role's part of the reading path, most specific first. */
export const READING_STEPS: Record<ReadingRole, StepRule[]> = {
  broker: [
    { step: 'debug() calls (mqtt-packet)', url: /\/node_modules\/debug\// },
    { step: 'MQTT parse (mqtt-packet)', url: /\/node_modules\/(mqtt-packet\/(parser|numbers|packet)\.|bl\/)/ },
    { step: 'MQTT parse (mqtt-packet)', url: /\/apps\/broker\/src\/security\/(packet-size-guard|frame-size-scanner)/ },
    { step: 'PUBACK write', url: /\/node_modules\/(mqtt-packet\/(writeToStream|generate)|aedes\/lib\/write)/ },
    { step: 'auth/ACL', url: /\/apps\/broker\/src\/(hooks|security)\// },
    { step: 'auth/ACL', url: /\/apps\/broker\/src\/(credential-cache|device-cities|sessions)\./ },
    { step: 'auth/ACL', url: /\/libs\/contracts\/src\/topics\./ },
    { step: 'validation', url: /\/devices\/src\/telemetry\// },
    { step: 'validation', url: /\/apps\/broker\/src\/telemetry\/rejection-reporter\./ },
    {
      step: 'city rate limit',
      url: /\/apps\/broker\/src\/telemetry\/(city-rate-limiter|city-budget|city-budget-store|local-city-buckets)\./,
    },
    { step: 'line serialisation', url: /\/libs\/storage\/src\/line-protocol\./ },
    { step: 'line serialisation', url: /\/apps\/broker\/src\/telemetry\/(to-lines|receive-clock)\./ },
    { step: 'hand-off write (ioredis)', url: /\/libs\/handoff\/src\/(producer|entry|durability)\./ },
    { step: 'telemetry ingestor (glue)', url: /\/apps\/broker\/src\/telemetry\/telemetry-ingestor\./ },
    { step: 'publish handling (aedes)', url: /\/node_modules\/(aedes|aedes-packet|fastfall|fastparallel|reusify)\// },
    { step: 'publish handling (aedes)', url: /\/apps\/broker\/src\/(aedes|telemetry\/telemetry-routing)/ },
    { step: 'hand-off write (ioredis)', url: IOREDIS, library: 'ioredis' },
  ],
  ingest: [
    {
      step: 'hand-off read (ioredis)',
      url: /\/libs\/handoff\/src\/(consumer|leases|fair-share|linger|backlog|depth)\./,
    },
    { step: 'line parse / rule-feed build', url: /\/apps\/ingest\/src\/rule-feed-readings\./ },
    { step: 'line parse / rule-feed build', url: /\/libs\/storage\/src\/parse-line\./ },
    { step: 'InfluxDB write (HTTP)', url: /\/libs\/storage\/src\/(v1-writer|v2-writer|resilient-writer|point-writer)/ },
    { step: 'BullMQ addBulk (rule feed)', url: /\/apps\/ingest\/src\/rule-feed\./ },
    { step: 'BullMQ addBulk (rule feed)', url: /\/libs\/alert-store\/src\/last-seen-index\./ },
    { step: 'rollups (retention/: 1-minute aggregates kept, late minutes)', url: /\/apps\/ingest\/src\/retention\// },
    { step: 'ingest loop', url: /\/apps\/ingest\/src\/(ingest-worker\.service|ordered-pipeline)\./ },
    { step: 'hand-off read (ioredis)', url: IOREDIS, library: 'ioredis' },
    { step: 'BullMQ addBulk (rule feed)', url: BULLMQ, library: 'bullmq' },
    { step: 'InfluxDB write (HTTP)', url: HTTP_CLIENT, library: 'http client' },
  ],
  alerts: [
    {
      step: 'rule evaluation',
      url: /\/apps\/alerts\/src\/(rule-evaluation\.worker|rule-book|rule-state-repository)\./,
    },
    { step: 'rule evaluation', url: /\/apps\/alerts\/src\/(apply-|maintenance\/)/ },
    { step: 'rule evaluation', url: /\/libs\/(rules|alert-config)\/src\// },
    { step: 'job fetch (BullMQ)', url: /\/libs\/redis\/src\//, library: 'bullmq' },
    { step: 'job fetch (BullMQ)', url: BULLMQ, library: 'bullmq' },
    { step: 'job fetch (BullMQ)', url: IOREDIS, library: 'ioredis' },
  ],
};

/** What every process has: the collector, metrics, and V8's own buckets left to "other". */
const COMMON_STEPS: StepRule[] = [
  { step: 'GC', fn: /^\(garbage collector\)$/ },
  { step: 'metrics (prom-client)', url: /\/node_modules\/(prom-client|tdigest|bintrees)\// },
  { step: 'metrics (prom-client)', url: /\/libs\/observability\/src\/metrics\./ },
];

export const OTHER_STEP = 'other';

/** The roles of a process's CP_APPS (`broker,api` → broker), in reading-path order. */
export function readingRoles(apps: string): ReadingRole[] {
  const named = new Set(apps.split(/[,+]/).map((app) => app.trim()));
  return (['broker', 'ingest', 'alerts'] as const).filter((role) => named.has(role));
}

/**
 * The rules for a process running `roles`: each role's, then the common ones. A library's rules
 * from several roles become one, its step naming each role's ("ioredis, no caller on the stack:
 * hand-off write / hand-off read / job fetch"), as nothing on the stack tells them apart.
 */
export function stepRulesFor(roles: readonly ReadingRole[]): StepRule[] {
  const rules = roles.flatMap((role) => READING_STEPS[role]);
  const librarySteps = new Map<string, string[]>();
  for (const { library, step } of rules)
    if (library && !librarySteps.get(library)?.includes(step))
      librarySteps.set(library, [...(librarySteps.get(library) ?? []), step]);
  const stepOfLibrary = (library: string) => {
    const steps = librarySteps.get(library)!;
    return steps.length === 1 ? steps[0] : `${library}, no caller on the stack: ${steps.join(' / ')}`;
  };
  const own = rules.filter((rule) => !rule.library);
  const libraries = rules
    .filter((rule) => rule.library)
    .map((rule) => ({ ...rule, step: stepOfLibrary(rule.library!) }));
  return [...own, ...COMMON_STEPS, ...libraries];
}

export interface StepCost {
  step: string;
  selfMs: number;
  /** Self time ÷ readings stored in the window, µs. */
  usPerReading: number;
  /** Share of the busy (non-idle) time, %. */
  percent: number;
}

export interface StepTable {
  /** The profiled window: first publish → every PUBACKed reading stored. */
  windowS: number;
  readings: number;
  busyUsPerReading: number;
  /** Largest first, `other` last. */
  steps: StepCost[];
}

/**
 * Self time within `window` (µs of the profile's clock) per step, as µs per reading. Samples of
 * `(idle)` are left out; what no rule names goes to `other`.
 */
export function attributeSteps(
  profile: Profile,
  rules: readonly StepRule[],
  window: { fromUs: number; toUs: number },
  readings: number,
): StepTable {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const stepOfNode = new Map<number, string>();
  const stepOf = (id: number): string => {
    let step = stepOfNode.get(id);
    if (step === undefined) {
      step = attribute(id, nodes, parents, rules);
      stepOfNode.set(id, step);
    }
    return step;
  };

  const usByStep = new Map<string, number>();
  let busyUs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let at = profile.startTime;
  // As in summariseProfile: timeDeltas[i] is the gap before sample i; the time until the next sample belongs to it.
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (at < window.fromUs || at > window.toUs) continue;
    const us = deltas[i + 1] ?? 0;
    if (us <= 0 || nodes.get(samples[i])?.callFrame.functionName === '(idle)') continue;
    const step = stepOf(samples[i]);
    usByStep.set(step, (usByStep.get(step) ?? 0) + us);
    busyUs += us;
  }
  const perReading = (us: number) => (readings > 0 ? round2(us / readings) : 0);
  const steps = [...usByStep.entries()]
    .map(([step, us]) => ({
      step,
      selfMs: Math.round(us / 1000),
      usPerReading: perReading(us),
      percent: busyUs > 0 ? Math.round((us / busyUs) * 1000) / 10 : 0,
    }))
    .sort((a, b) => Number(a.step === OTHER_STEP) - Number(b.step === OTHER_STEP) || b.usPerReading - a.usPerReading);
  return {
    windowS:
      Math.round((Math.min(window.toUs, profile.endTime) - Math.max(window.fromUs, profile.startTime)) / 1e4) / 100,
    readings,
    busyUsPerReading: perReading(busyUs),
    steps,
  };
}

/** The step of the innermost frame a rule names; a library rule's only if nothing above names one. */
function attribute(
  id: number,
  nodes: Map<number, Profile['nodes'][number]>,
  parents: Map<number, number>,
  rules: readonly StepRule[],
): string {
  let library: string | undefined;
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const frame = nodes.get(at)?.callFrame;
    if (!frame) break;
    for (const rule of rules) {
      if (!rule.url && !rule.fn) continue;
      if (rule.url && !rule.url.test(frame.url)) continue;
      if (rule.fn && !rule.fn.test(frame.functionName)) continue;
      if (!rule.library) return rule.step;
      library ??= rule.step;
    }
  }
  return library ?? OTHER_STEP;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** One table per process: µs per reading and share of busy time by step. */
export function formatStepTables(tables: ReadonlyArray<{ process: string; steps: StepTable }>): string {
  if (tables.length === 0) return '';
  const { windowS, readings } = tables[0].steps;
  const width = Math.max(20, ...tables.flatMap((t) => t.steps.steps.map((s) => s.step.length)));
  const lines = [
    `CPU µs per reading by step (profile self time, first publish → stored: ${windowS.toFixed(1)} s, ` +
      `${readings.toLocaleString('en-US')} readings)`,
  ];
  for (const { process, steps } of tables) {
    lines.push('', `  ${process.padEnd(width)}  µs/reading   share`);
    for (const s of steps.steps) {
      const us = s.usPerReading.toFixed(2).padStart(10);
      lines.push(`    ${s.step.padEnd(width - 2)}  ${us}  ${s.percent.toFixed(1).padStart(5)}%`);
    }
    lines.push(`    ${'total busy'.padEnd(width - 2)}  ${steps.busyUsPerReading.toFixed(2).padStart(10)}`);
  }
  return lines.join('\n');
}
