import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The machine's own contention, measured beside the load: a small process that wakes every
 * PERIOD_MS and does one fixed unit of JavaScript work (objects built, serialised, parsed and
 * summed — the shape of a reading's path), the way an event-loop server does between reads. The
 * CPU one unit costs grows when more processes share the cores (caches and branch predictors
 * evicted between wake-ups, CPU migrations) although the work is identical, so the ratio of a
 * configuration's µs per unit to the smallest K's tells how much of a role's growth per reading
 * the machine adds by itself. It uses ~2 % of a core.
 */

const PERIOD_MS = 5;
const RECORDS_PER_UNIT = 40;

/** One unit of work; returns a checksum so the engine cannot drop it. */
export function probeWorkUnit(seed: number): number {
  const records: Array<{ device: string; ts: number; values: Record<string, number> }> = [];
  for (let i = 0; i < RECORDS_PER_UNIT; i++) {
    records.push({
      device: `meter-${(seed + i) % 97}`,
      ts: 1_700_000_000_000 + seed * 1000 + i,
      values: { power: (seed * 31 + i * 7) % 5000, voltage: 220 + (i % 20), current: (i * 13) % 40 },
    });
  }
  const lines = records.map(
    (r) =>
      `meter,device=${r.device} ` +
      `power=${r.values.power},voltage=${r.values.voltage},current=${r.values.current} ${r.ts}`,
  );
  const parsed = JSON.parse(JSON.stringify(records)) as typeof records;
  const byDevice = new Map<string, number>();
  for (const r of parsed) byDevice.set(r.device, (byDevice.get(r.device) ?? 0) + r.values.power);
  let sum = 0;
  for (const value of byDevice.values()) sum += value;
  for (const line of lines) sum += line.length;
  return sum;
}

/** Messages: parent → probe 'start' | 'stop'; probe → parent ProbeResult (after 'stop'). */
export interface ProbeResult {
  units: number;
  cpuUs: number;
}

/** The probe process: one unit per PERIOD_MS; counts units and CPU between 'start' and 'stop'. */
function runProbe(): void {
  let units = 0;
  let checksum = 0;
  let from = process.cpuUsage();
  const timer = setInterval(() => {
    checksum += probeWorkUnit(units);
    units++;
  }, PERIOD_MS);
  process.on('message', (message) => {
    if (message === 'start') {
      units = 0;
      from = process.cpuUsage();
    } else if (message === 'stop') {
      const used = process.cpuUsage(from);
      clearInterval(timer);
      process.send!(
        { units, cpuUs: used.user + used.system, checksum } satisfies ProbeResult & { checksum: number },
        () => process.exit(0),
      );
    }
  });
}

/** A running probe: `start()` when the measured window opens, `stop()` when it closes (µs per unit). */
export class ContentionProbe {
  private constructor(private readonly child: ChildProcess) {}

  static launch(): ContentionProbe {
    const child = fork(fileURLToPath(import.meta.url), ['--contention-probe'], {
      execPath: process.execPath,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    return new ContentionProbe(child);
  }

  start(): void {
    this.child.send('start');
  }

  /** CPU µs per unit of work over the window (undefined if the probe did no work or died). */
  async stop(timeoutMs = 5000): Promise<number | undefined> {
    if (this.child.exitCode !== null || !this.child.connected) return undefined;
    const result = await new Promise<ProbeResult | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.child.once('message', (message: ProbeResult) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.child.send('stop');
    });
    this.kill();
    return result && result.units > 0 ? result.cpuUs / result.units : undefined;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

if (process.argv.includes('--contention-probe')) runProbe();
