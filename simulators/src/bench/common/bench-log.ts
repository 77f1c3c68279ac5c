/**
 * A bench's progress line, stamped with the UTC time of day so a long run's phases can be lined up with the service
 * logs.
 */
export function log(line: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}
