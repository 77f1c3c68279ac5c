import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Read-only looks at /proc: memory of the service process, and CPU time of every process that
 * shares this machine during a run (service, generator, Redis, InfluxDB), so a report can say
 * who used the two cores. Nothing here signals or changes another process.
 */

export interface MemoryStatus {
  /** Peak resident set size (high-water mark) since the process started, in KiB. */
  vmHwmKb: number;
  /** Current resident set size, in KiB. */
  vmRssKb: number;
}

export function readMemory(pid: number): MemoryStatus | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined; // exited
  }
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text)?.[1] ?? NaN);
  return { vmHwmKb: kb('VmHWM'), vmRssKb: kb('VmRSS') };
}

/** utime + stime of a process, in clock ticks; undefined once it has gone. */
export function readCpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}

/** Busy and total ticks of the whole machine (all cores), from the first line of /proc/stat. */
export function readMachineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const ticks = values.map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = ticks[3] + (ticks[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

let clockTicks: number | undefined;
/** Clock ticks per second (USER_HZ); 100 on every Linux we run on, asked once anyway. */
export function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** The pid of the process listening on a local TCP port (e.g. Redis, InfluxDB), from `ss`; undefined if unknown. */
export function pidListeningOn(port: number): number | undefined {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    const match = /pid=(\d+)/.exec(out);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** What a CpuWatch saw between `start()` and `stop()`. */
export interface CpuUse {
  /** % of one core per watched process, plus `others` (everything else that ran). */
  perProcessPercentOfCore: Record<string, number>;
  /** CPU time (user + system) per watched process, in ms, at clock-tick resolution (10 ms). */
  perProcessCpuMs: Record<string, number>;
  /** Wall time between start and stop, in s. */
  windowS: number;
  machineBusyPercent: number;
}

/** CPU use of named processes between `start()` and `stop()`, in % of one core, plus the machine's. */
export class CpuWatch {
  private startTicks = new Map<string, number>();
  private machineStart = readMachineTicks();
  private startedAt = performance.now();

  constructor(private readonly pids: Record<string, number | undefined>) {}

  start(): void {
    this.startTicks.clear();
    for (const [name, pid] of Object.entries(this.pids)) {
      const ticks = pid === undefined ? undefined : readCpuTicks(pid);
      if (ticks !== undefined) this.startTicks.set(name, ticks);
    }
    this.machineStart = readMachineTicks();
    this.startedAt = performance.now();
  }

  /**
   * Per process: % of one core (200 = both cores of this machine), plus `others`: everything else
   * that ran meanwhile (another engineer's tests, say), which makes the figures noisy when large.
   * `machineBusyPercent`: all cores together, 100 = saturated.
   */
  stop(): CpuUse {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const hz = ticksPerSecond();
    const perProcessPercentOfCore: Record<string, number> = {};
    const perProcessCpuMs: Record<string, number> = {};
    let watchedTicks = 0;
    for (const [name, before] of this.startTicks) {
      const after = readCpuTicks(this.pids[name]!);
      if (after === undefined) continue;
      watchedTicks += after - before;
      perProcessPercentOfCore[name] = Math.round(((after - before) / hz / seconds) * 100);
      perProcessCpuMs[name] = ((after - before) / hz) * 1000;
    }
    const machine = readMachineTicks();
    const busyTicks = machine.busy - this.machineStart.busy;
    perProcessPercentOfCore.others = Math.max(0, Math.round(((busyTicks - watchedTicks) / hz / seconds) * 100));
    const machineBusyPercent = Math.round((busyTicks / Math.max(1, machine.total - this.machineStart.total)) * 100);
    return { perProcessPercentOfCore, perProcessCpuMs, windowS: seconds, machineBusyPercent };
  }
}

export interface OpenFiles {
  /** File descriptors the process has open now (sockets included). */
  open: number;
  /** RLIMIT_NOFILE: soft (what the process may open) and hard (what it may raise the soft limit to). */
  soft: number;
  hard: number;
}

/** Open descriptors and the open-file limit of a process: a broker holds one descriptor per connection. */
export function readOpenFiles(pid: number): OpenFiles | undefined {
  try {
    const limits = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(
      readFileSync(`/proc/${pid}/limits`, 'utf8'),
    );
    const num = (v: string | undefined) =>
      v === undefined || v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v);
    return { open: readdirSync(`/proc/${pid}/fd`).length, soft: num(limits?.[1]), hard: num(limits?.[2]) };
  } catch {
    return undefined;
  }
}

/** The kernel's limits that bound how many connections one machine can hold over loopback. */
export function readKernelLimits(): { fileMax?: number; localPortRange?: [number, number]; somaxconn?: number } {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const range = read('/proc/sys/net/ipv4/ip_local_port_range')?.split(/\s+/).map(Number);
  const fileMax = read('/proc/sys/fs/file-max');
  const somaxconn = read('/proc/sys/net/core/somaxconn');
  return {
    fileMax: fileMax === undefined ? undefined : Number(fileMax),
    localPortRange: range && range.length === 2 ? [range[0], range[1]] : undefined,
    somaxconn: somaxconn === undefined ? undefined : Number(somaxconn),
  };
}

/** The local stack's Redis and InfluxDB processes, by the ports in their URLs: every bench watches their CPU too. */
export function stackPids(redisUrl: string, influxUrl?: string): { redis?: number; influxd?: number } {
  return {
    redis: pidListeningOn(Number(new URL(redisUrl).port || 6379)),
    ...(influxUrl ? { influxd: pidListeningOn(Number(new URL(influxUrl).port || 8086)) } : {}),
  };
}
