import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What one fault did to the promises under test. */
export interface FaultOutcome {
  fault: string;
  /** How long the failed part was away (killed → restarted and answering), in ms. */
  outageMs: number;
  /** Readings published / PUBACKed by the well-behaved devices. */
  published: number;
  acked: number;
  /** PUBACKed readings found in InfluxDB, and those missing (must be 0). */
  ackedStored: number;
  lost: number;
  /** Points stored more than once for the same (device, time) (must be 0). */
  duplicates: number;
  /** Readings stored although their PUBACK never arrived (the broker died before sending it): harmless. */
  storedWithoutAck: number;
  peakBacklog: number;
  /** Restore → backlog back to normal; null when it never was. */
  drainMs: number | null;
  /** Alerts raised for the device that crossed a threshold during the fault (must be 1). */
  alertsExpected: number;
  alertsRaised: number;
  /** Processes answering GET /health at the end, of the four. */
  healthyProcesses: number;
}

const COLUMNS: Array<[title: string, cell: (o: FaultOutcome) => string]> = [
  ['fault', (o) => o.fault],
  ['outage', (o) => `${(o.outageMs / 1000).toFixed(1)} s`],
  ['published', (o) => String(o.published)],
  ['PUBACKed', (o) => String(o.acked)],
  ['stored', (o) => String(o.ackedStored)],
  ['lost', (o) => String(o.lost)],
  ['duplicates', (o) => String(o.duplicates)],
  ['peak backlog', (o) => String(o.peakBacklog)],
  ['drain', (o) => (o.drainMs === null ? 'never' : `${(o.drainMs / 1000).toFixed(1)} s`)],
  ['alerts', (o) => `${o.alertsRaised}/${o.alertsExpected}`],
  ['healthy', (o) => `${o.healthyProcesses}/4`],
];

/** A plain-text table, one row per fault, for the test log and CI output. */
export function faultTable(outcomes: FaultOutcome[]): string {
  const cells = [COLUMNS.map(([title]) => title), ...outcomes.map((o) => COLUMNS.map(([, cell]) => cell(o)))];
  const widths = COLUMNS.map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Writes the outcomes as JSON under .artifacts/ (git-ignored) and returns the file's path. */
export function writeFaultReport(outcomes: FaultOutcome[], startedAt: Date, settings: Record<string, unknown>): string {
  const dir = resolve(process.cwd(), '.artifacts');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `faults-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ suite: 'faults', startedAt: startedAt.toISOString(), settings, outcomes }, null, 2)}\n`,
  );
  return file;
}
