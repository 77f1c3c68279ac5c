import type { BacktestAlert } from './backtest.js';
import type { BacktestReport } from './report.js';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The report as an engineer reads it in a terminal: counts, the comparison, the differences, the timeline. */
export function formatReport(report: BacktestReport, title: string, timelineLimit = 50): string {
  const out: string[] = [
    title,
    `readings    ${report.readings.accepted} accepted, ${report.readings.rejected} rejected${rejections(report)}`,
    '',
  ];
  out.push('would have fired (candidate rules)');
  if (report.counts.length === 0) out.push('  nothing');
  else
    out.push(
      table(
        ['rule', 'raised', 'resolved', 'open', 'devices'],
        report.counts.map((c) => [c.ruleId, c.raised, c.resolved, c.open, c.devices]),
      ),
    );
  out.push('', 'against the current rules');
  const changes = report.comparison.filter((c) => c.current !== c.candidate);
  if (report.added.length + report.removed.length + report.changed.length === 0)
    out.push('  the same alerts at the same times');
  else {
    if (changes.length > 0)
      out.push(
        table(
          ['rule', 'current', 'candidate', 'change'],
          changes.map((c) => [c.ruleKey, c.current, c.candidate, signed(c.candidate - c.current)]),
        ),
      );
    for (const a of report.added) out.push(`  + ${episode(a)}  (only with the candidate)`);
    for (const a of report.removed) out.push(`  - ${episode(a)}  (only with the current rules)`);
    for (const { candidate, current } of report.changed)
      out.push(`  ~ ${episode(candidate)}  (current rules: ${span(current)})`);
  }
  out.push(
    '',
    `timeline${report.timeline.length > timelineLimit ? ` (first ${timelineLimit} of ${report.timeline.length})` : ''}`,
  );
  if (report.timeline.length === 0) out.push('  nothing');
  for (const e of report.timeline.slice(0, timelineLimit))
    out.push(`  ${iso(e.atMs)}  ${e.kind.padEnd(8)}  ${e.ruleId.padEnd(36)}  ${e.deviceId}  ${e.value}`);
  return out.join('\n');
}

function rejections(report: BacktestReport): string {
  const entries = Object.entries(report.rejections);
  return entries.length === 0 ? '' : ` (${entries.map(([reason, n]) => `${reason} ${n}`).join(', ')})`;
}

function episode(a: BacktestAlert): string {
  return `${a.ruleId} on ${a.deviceId}: ${span(a)}`;
}

function span(a: BacktestAlert): string {
  return `${iso(a.openedAtMs)} → ${a.resolvedAtMs === undefined ? 'still open' : iso(a.resolvedAtMs)}`;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells
    .map((r) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`)
    .join('\n');
}
