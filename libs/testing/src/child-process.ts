import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * A citypulse app as a real OS process (from `dist/`, built by `npm test`), so tests can
 * kill -9 it the way a crash would.
 */
export class AppProcess {
  private child?: ChildProcess;
  private output = '';

  constructor(
    private readonly app: 'broker' | 'ingest' | 'alerts' | 'api' | 'citypulse',
    private readonly env: Record<string, string>,
    /** Node/V8 flags before the entry (V8 flags NODE_OPTIONS refuses, e.g. --no-allocation-site-pretenuring). */
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  get entry(): string {
    return resolve(process.cwd(), 'dist', 'apps', this.app, 'src', 'main.js');
  }

  /** Starts the process and resolves once it logged that it started. */
  async start(timeoutMs = 20_000): Promise<void> {
    if (!existsSync(this.entry)) throw new Error(`${this.entry} is missing: run \`npm run build\` first`);
    this.output = '';
    const child = spawn(process.execPath, [...this.nodeArgs, this.entry], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    await new Promise<void>((resolveStarted, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.app} did not start in ${timeoutMs} ms:\n${this.output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.includes('"citypulse started"')) {
          clearTimeout(timer);
          resolveStarted();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.app} exited with ${code} before starting:\n${this.output}`));
      });
    });
  }

  /** SIGKILL: no shutdown hook runs, exactly like a crash. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGSTOP: the process freezes (as in a long GC pause or a descheduled VM) until `resume`. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }

  /** The running process's id (for reading its memory from /proc); undefined before start. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get logs(): string {
    return this.output;
  }
}
