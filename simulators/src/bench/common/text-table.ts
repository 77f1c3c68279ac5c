/** A row of a printed report: a label and its figures, or a line of its own (a heading, a blank). */
export type Row = [label: string, value: string] | string;

/** Label/value rows as an aligned two-column table; plain lines stand as they are. */
export function formatRows(rows: readonly Row[]): string {
  const width = Math.max(
    0,
    ...rows.filter((row): row is [string, string] => Array.isArray(row)).map(([label]) => label.length),
  );
  return rows.map((row) => (Array.isArray(row) ? `  ${row[0].padEnd(width)}  ${row[1]}` : row)).join('\n');
}

/** "service 98%, redis 6%, others 3%"; flags a run that shared the machine with something busy. */
export function cpuText(cpu: Record<string, number>): string {
  const text = Object.entries(cpu)
    .map(([k, v]) => `${k} ${v}%`)
    .join(', ');
  return (cpu.others ?? 0) >= 20 ? `${text}   <<< other processes were busy: figures are noisy` : text;
}

/** KiB → MiB with one decimal; undefined stays undefined (the process had gone). */
export function mib(kb: number | undefined): number | undefined {
  return kb === undefined ? undefined : Math.round((kb / 1024) * 10) / 10;
}
