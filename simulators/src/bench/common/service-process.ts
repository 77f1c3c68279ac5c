import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readMemory } from './proc-stats.js';

export interface ServiceStartOptions {
  /** What the process is called in reports ("citypulse", "broker+api" …). */
  name: string;
  /** The apps it runs, for the report (CP_APPS in `env` is what chooses them). */
  apps: string;
  /** The all-in-one entry, e.g. dist/apps/citypulse/src/main.js; CP_APPS in `env` picks the apps. */
  entry: string;
  /** Environment of the service: CP_* variables (the only way citypulse is configured). */
  env: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs: string[];
  /** stdout and stderr go here. */
  logFile: string;
  /** @defaultValue 60000 */
  startTimeoutMs?: number;
}

export interface RssSummary {
  /** VmHWM at the end: the peak since start, in MiB. */
  peakMb: number;
  /** VmRSS sampled once a second, in MiB: min, max and last show whether memory stays flat. */
  minMb: number;
  maxMb: number;
  lastMb: number;
  samplesMb: number[];
}

/** The ports a citypulse process reports in its "citypulse started" line; each only when it serves it. */
interface StartedLine {
  mqttPort?: number;
  httpPort?: number;
  healthPort?: number;
}

/**
 * citypulse as a separate child process, so its CPU, memory and profile are its own and not the
 * load generator's. Ports are 0 (the OS picks); the bound ones are read from the process's own
 * "citypulse started" line, which avoids any race over "free" ports.
 */
export class ServiceProcess {
  private readonly rssKb: number[] = [];
  private sampler?: NodeJS.Timeout;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The HTTP API, when this process runs it. */
  readonly apiUrl?: string;
  /** Where GET /health and /metrics answer: the API, or the health listener of a process without it. */
  readonly metricsUrl: string;
  readonly mqttPort?: number;

  private constructor(
    readonly name: string,
    readonly apps: string,
    private readonly child: ChildProcess,
    ports: StartedLine,
    private readonly logFile: string,
  ) {
    this.exited = exitOf(child);
    if (ports.httpPort) this.apiUrl = `http://127.0.0.1:${ports.httpPort}`;
    this.metricsUrl = this.apiUrl ?? `http://127.0.0.1:${ports.healthPort}`;
    this.mqttPort = ports.mqttPort;
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(options: ServiceStartOptions): Promise<ServiceProcess> {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      ...options.env,
      CP_MQTT_PORT: '0',
      CP_HTTP_PORT: '0',
      CP_HEALTH_PORT: '0',
    };
    const child = spawn(process.execPath, [...options.nodeArgs, options.entry], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(options.logFile);
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    const exited = exitOf(child);
    // 'close', not 'exit': output may still be in the pipes when the process has exited.
    child.once('close', () => log.end());
    const timeoutMs = options.startTimeoutMs ?? 60_000;

    const ports = await new Promise<StartedLine>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} did not start within ${timeoutMs} ms (log: ${options.logFile})`)),
        timeoutMs,
      );
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.includes('"citypulse started"')) return;
        const started = JSON.parse(line) as StartedLine;
        clearTimeout(timer);
        if (!started.httpPort && !started.healthPort)
          reject(new Error(`${options.name} started with neither the API nor a health listener: ${line}`));
        else resolve(started);
      });
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(
          new Error(`${options.name} exited during start (code ${code}, signal ${signal}):\n${tail(options.logFile)}`),
        );
      });
    }).catch((err: Error) => {
      child.kill('SIGKILL');
      throw err;
    });

    const service = new ServiceProcess(options.name, options.apps, child, ports, options.logFile);
    await service.waitHealthy(timeoutMs).catch(async (err: Error) => {
      await service.stop();
      throw err;
    });
    return service;
  }

  /** GET /health until the process says its dependencies answer (Redis, and InfluxDB where the API checks it). */
  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${this.metricsUrl}/health`, { signal: AbortSignal.timeout(2000) });
        last = `${response.status} ${await response.text()}`;
        if (response.ok) return;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${this.name} /health not ok after ${timeoutMs} ms: ${last}`);
  }

  /** Samples VmRSS once a second until `stop` (or `rss`). */
  startRssSampling(intervalMs = 1000): void {
    const sample = () => {
      const memory = readMemory(this.pid);
      if (memory) this.rssKb.push(memory.vmRssKb);
    };
    sample();
    this.sampler = setInterval(sample, intervalMs);
  }

  /** Peak and sampled RSS; read before `stop`, while /proc still has the process. */
  rss(): RssSummary | undefined {
    clearInterval(this.sampler);
    const memory = readMemory(this.pid);
    if (!memory) return undefined;
    const samples = this.rssKb.length > 0 ? this.rssKb : [memory.vmRssKb];
    const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
    return {
      peakMb: mb(memory.vmHwmKb),
      minMb: mb(Math.min(...samples)),
      maxMb: mb(Math.max(...samples)),
      lastMb: mb(samples[samples.length - 1]),
      samplesMb: samples.map(mb),
    };
  }

  /** SIGTERM (a clean shutdown, which is also when --cpu-prof writes its profile); SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    clearInterval(this.sampler);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const result = await this.exited;
      clearTimeout(timer);
      return result;
    }
    return this.exited;
  }

  /** The last lines of the service log, for error messages. */
  logTail(lines = 20): string {
    return tail(this.logFile, lines);
  }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
