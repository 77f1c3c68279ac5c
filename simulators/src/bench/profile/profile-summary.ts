import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceProcess } from '../common/service-process.js';
import { attributeSteps, readingRoles, stepRulesFor, type StepTable } from './profile-steps.js';

/**
 * Where a process spent its CPU, from a V8 `.cpuprofile` (node --cpu-prof): self time summed by
 * function and by area (a package, a Node core module, a folder of ours, or V8's own buckets such
 * as "(garbage collector)"). Self time is what a function did itself, not its callees, so the top
 * of this list is what bounds the rate.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTime {
  name: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  percent: number;
}

export interface ProfileSummary {
  wallMs: number;
  busyMs: number;
  idleMs: number;
  functions: SelfTime[];
  areas: SelfTime[];
}

/** V8's pseudo-frames that are not code but still say where time went. */
const IDLE = '(idle)';

/**
 * `window`: only samples taken within it, in µs of the monotonic clock V8 stamps profiles with
 * (the same as `process.hrtime` in any process on this machine), e.g. a bench's load phase
 * without the start-up.
 */
export function summariseProfile(
  profile: CpuProfile,
  top = 25,
  window?: { fromUs: number; toUs: number },
): ProfileSummary {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let at = profile.startTime;
  // timeDeltas[i] is the gap before sample i; the time until the next sample belongs to sample i.
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const us = deltas[i + 1] ?? 0;
    byNode.set(samples[i], (byNode.get(samples[i]) ?? 0) + us);
  }
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0;
    if (us === 0) continue;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === IDLE) {
      idleUs += us;
      continue;
    }
    let fn: string;
    let area: string;
    if (url) {
      fn = `${functionName || '(anonymous)'}  ${shortUrl(url)}:${lineNumber + 1}`;
      area = areaOf(functionName, url);
    } else if (functionName.startsWith('(')) {
      fn = area = functionName; // (garbage collector), (program)
    } else {
      // A C++ builtin (writev, byteLength…) says little alone, nor does Node's own stream or buffer
      // code around it: charge it to the first package or app function up the stack.
      const caller = jsCaller(node.id, nodes, parents);
      fn = caller
        ? `${functionName || '(native)'} [native] ← ${caller.callFrame.functionName || '(anonymous)'} ` +
          ` ${shortUrl(caller.callFrame.url)}:${caller.callFrame.lineNumber + 1}`
        : `${functionName || '(native)'} [native]`;
      area = caller ? areaOf(caller.callFrame.functionName, caller.callFrame.url) : '(native)';
    }
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({
        name,
        selfMs: Math.round(us / 1000),
        percent: busyUs > 0 ? Math.round((us / busyUs) * 1000) / 10 : 0,
      }));
  return {
    wallMs: Math.round(
      (window
        ? Math.min(window.toUs, profile.endTime) - Math.max(window.fromUs, profile.startTime)
        : profile.endTime - profile.startTime) / 1000,
    ),
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    functions: rank(functions),
    areas: rank(areas),
  };
}

/** The nearest ancestor outside Node's own code (`node:` URLs), else the nearest JavaScript one. */
function jsCaller(id: number, nodes: Map<number, ProfileNode>, parents: Map<number, number>): ProfileNode | undefined {
  let nearest: ProfileNode | undefined;
  for (let p = parents.get(id); p !== undefined; p = parents.get(p)) {
    const node = nodes.get(p);
    if (!node?.callFrame.url) continue;
    if (!node.callFrame.url.startsWith('node:')) return node;
    nearest ??= node;
  }
  return nearest;
}

/** `node_modules/ioredis`, `node:internal/streams`, `apps/broker`, or a V8 bucket such as `(garbage collector)`. */
export function areaOf(functionName: string, url: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const [first, second] = url.slice(modules + '/node_modules/'.length).split('/');
    return `node_modules/${first.startsWith('@') ? `${first}/${second}` : first}`;
  }
  if (url.startsWith('node:')) {
    const parts = url.slice(5).split('/');
    return `node:${parts[0] === 'internal' && parts.length > 2 ? `internal/${parts[1]}` : parts[0]}`;
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0)
    return url
      .slice(dist + 6)
      .split('/')
      .slice(0, 2)
      .join('/');
  return shortUrl(url);
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + 1);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 6);
  return url.replace(/^file:\/\//, '');
}

/** One process's CPU profile, summarised, and the file it came from. */
export interface ProcessProfile {
  process: string;
  file: string;
  summary: ProfileSummary;
  /** CPU µs per reading by step of the reading path, when the readings stored in the window were given. */
  steps?: StepTable;
}

/**
 * Each process's .cpuprofile (Node names it CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile), summarised; with
 * `readings` (stored within `window`) also attributed to the steps of the roles in the process's `apps`.
 */
export function readProfiles(
  dir: string,
  services: ReadonlyArray<Pick<ServiceProcess, 'name' | 'pid'> & { apps?: string }>,
  window?: { fromUs: number; toUs: number },
  readings?: number,
): ProcessProfile[] {
  const files = readdirSync(dir);
  return services.flatMap((service) => {
    const name = files.find((f) => f.endsWith('.cpuprofile') && f.includes(`.${service.pid}.`));
    if (!name) return [];
    const file = join(dir, name);
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const steps =
      window && readings !== undefined
        ? attributeSteps(profile, stepRulesFor(readingRoles(service.apps ?? '')), window, readings)
        : undefined;
    return [
      { process: service.name, file, summary: summariseProfile(profile, 30, window), ...(steps ? { steps } : {}) },
    ];
  });
}

export function formatProfileSummary(summary: ProfileSummary, file: string): string {
  const lines = [
    `CPU profile ${file}`,
    `  wall ${(summary.wallMs / 1000).toFixed(1)} s, busy ${(summary.busyMs / 1000).toFixed(1)} s ` +
      `(${Math.round((summary.busyMs / Math.max(1, summary.wallMs)) * 100)}% of one core), ` +
      `idle ${(summary.idleMs / 1000).toFixed(1)} s`,
    '',
    '  self time by area',
    ...summary.areas.map(
      (a) => `  ${a.percent.toFixed(1).padStart(5)}%  ${String(a.selfMs).padStart(7)} ms  ${a.name}`,
    ),
    '',
    '  self time by function',
    ...summary.functions.map(
      (f) => `  ${f.percent.toFixed(1).padStart(5)}%  ${String(f.selfMs).padStart(7)} ms  ${f.name}`,
    ),
  ];
  return lines.join('\n');
}

/** `npm run bench -- profile <file.cpuprofile> [top]` */
export async function runProfileCommand(args: string[]): Promise<number> {
  const [file, top] = args;
  if (!file || file === '--help') {
    console.log('usage: npm run bench -- profile <file.cpuprofile> [top=25]');
    return file ? 0 : 2;
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(formatProfileSummary(summariseProfile(profile, Number(top ?? 25)), file));
  return 0;
}
