import { readFileSync } from 'node:fs';
import { summariseProfile, type CpuProfile, type SelfTime } from './profile-summary.js';

/**
 * Two CPU profiles of the same process under two settings (e.g. the broker with clustering off
 * and on), compared by *share* of busy time: on a busy machine rates and milliseconds say little,
 * while what a process spends its CPU on barely moves. Start-up, provisioning and draining would
 * drown the steady state, so each profile is first cut to its load window: from the 2nd to the
 * 98th percentile of the samples taken inside the function that marks the work (by default the
 * broker's telemetry ingest).
 */

/** The function whose samples mark the load window: `name` in a file whose URL contains `file`. */
export interface WindowMarker {
  name: string;
  file: string;
}

export const INGEST_MARKER: WindowMarker = { name: 'ingest', file: 'telemetry-ingestor' };

export interface ShareDiff {
  name: string;
  /** Share of busy time in the first and second profile, %. */
  a: number;
  b: number;
}

/** The load window of `profile`, in the µs of its own clock (what summariseProfile takes). */
export function loadWindow(
  profile: CpuProfile,
  marker: WindowMarker = INGEST_MARKER,
): { fromUs: number; toUs: number } {
  const samples = profile.samples ?? [];
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const marks = new Set(
    profile.nodes
      .filter((n) => n.callFrame.functionName === marker.name && n.callFrame.url.includes(marker.file))
      .map((n) => n.id),
  );
  const marked = (id: number) => {
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) if (marks.has(at)) return true;
    return false;
  };
  const markedTimes: number[] = [];
  let t = profile.startTime;
  samples.forEach((id, i) => {
    t += profile.timeDeltas?.[i] ?? 0;
    if (marked(id)) markedTimes.push(t);
  });
  if (markedTimes.length === 0)
    throw new Error(`no sample inside ${marker.name} (${marker.file}): not a profile of that work`);
  return {
    fromUs: markedTimes[Math.floor(markedTimes.length * 0.02)],
    toUs: markedTimes[Math.floor(markedTimes.length * 0.98)],
  };
}

/** Shares by function or area in both windows, largest difference first. */
export function compareShares(
  a: CpuProfile,
  b: CpuProfile,
  by: 'functions' | 'areas',
  marker?: WindowMarker,
): ShareDiff[] {
  const share = (profile: CpuProfile) =>
    new Map(
      summariseProfile(profile, Number.MAX_SAFE_INTEGER, loadWindow(profile, marker))[by].map((s: SelfTime) => [
        s.name,
        s.percent,
      ]),
    );
  const [left, right] = [share(a), share(b)];
  return [...new Set([...left.keys(), ...right.keys()])]
    .map((name) => ({ name, a: left.get(name) ?? 0, b: right.get(name) ?? 0 }))
    .sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a) || y.b - x.b);
}

/** `npm run bench -- profile-compare <a.cpuprofile> <b.cpuprofile> [top=30]` */
export async function runProfileCompareCommand(args: string[]): Promise<number> {
  const [fileA, fileB, top] = args;
  if (!fileA || !fileB || fileA === '--help') {
    console.log('usage: npm run bench -- profile-compare <a.cpuprofile> <b.cpuprofile> [top=30]');
    console.log(
      "  shares of busy time by area and function within each profile's telemetry-ingest window, largest " +
        'difference first',
    );
    return fileA === '--help' ? 0 : 2;
  }
  const [a, b] = [fileA, fileB].map((file) => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  const rows = (diffs: ShareDiff[]) =>
    diffs.slice(0, Number(top ?? 30)).map((d) => {
      const change = (d.b - d.a >= 0 ? '+' : '') + (d.b - d.a).toFixed(1).padStart(5);
      return `  ${d.a.toFixed(1).padStart(5)}% ${d.b.toFixed(1).padStart(6)}% ${change}  ${d.name}`;
    });
  const [windowA, windowB] = [loadWindow(a), loadWindow(b)];
  console.log(`A ${fileA}: window ${((windowA.toUs - windowA.fromUs) / 1e6).toFixed(1)} s`);
  console.log(`B ${fileB}: window ${((windowB.toUs - windowB.fromUs) / 1e6).toFixed(1)} s`);
  console.log(['', '      A       B   B−A   by area', ...rows(compareShares(a, b, 'areas'))].join('\n'));
  console.log(['', '      A       B   B−A   by function', ...rows(compareShares(a, b, 'functions'))].join('\n'));
  return 0;
}
