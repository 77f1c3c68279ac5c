import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { uniqueName } from './test-config.js';
import { freePort } from './free-port.js';

/**
 * A private InfluxDB 1.x server (Debian's influxd) for a test that stops and restarts it: an
 * outage of the shared stack's server would disturb every other test running meanwhile.
 */
export class PrivateInflux {
  private child?: ChildProcess;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly configFile: string,
  ) {}

  static async create(): Promise<PrivateInflux> {
    const dir = resolve(process.cwd(), '.stack', 'test-influx', uniqueName());
    mkdirSync(dir, { recursive: true });
    const [port, rpcPort] = [await freePort(), await freePort()];
    const configFile = join(dir, 'influxdb.conf');
    writeFileSync(
      configFile,
      `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[monitor]
  store-enabled = false
`,
    );
    return new PrivateInflux(dir, port, configFile);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('influxd', ['-config', this.configFile], { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${this.url}/ping`).then(
        (r) => r.status === 204,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('private influxd did not answer /ping within 30 s');
  }

  /**
   * Freezes the server (SIGSTOP): connections are still accepted by the kernel, requests get no
   * answer — InfluxDB stalled, not down.
   */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    // A paused server would not act on SIGTERM until continued.
    child.kill('SIGCONT');
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
