import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { uniqueName } from './test-config.js';
import { freePort } from './free-port.js';

/**
 * Whether the server on `port` is the process `pid` and ready (PING answers PONG, not LOADING). A
 * port found free a moment ago may be taken by another test's server meanwhile: that server answers
 * PING too, and a test would quietly run against it.
 */
function answersAs(port: number, pid: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    // Closed before a full reply: not a Redis that is ready (or not a Redis at all).
    socket.once('close', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\nINFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      const processId = /\r\nprocess_id:(\d+)\r\n/.exec(reply);
      if (processId) finish(reply.startsWith('+PONG') && Number(processId[1]) === pid);
    });
  });
}

/**
 * A private redis-server with the production durability settings (AOF, fsync every second), on
 * its own port and directory under .stack/, for a test that restarts or kills Redis: doing that
 * to the shared stack's server would break every other test running meanwhile.
 */
export interface PrivateRedisOptions {
  /** AOF fsync policy. @defaultValue everysec (production's) */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Start as a replica of the private Redis on this port (replication, for the `replica` durability level). */
  replicaOf?: number;
  /** Where its directory goes (a bench keeps its servers under .bench/). @defaultValue .stack/test-redis */
  parentDir?: string;
}

export class PrivateRedis {
  private child?: ChildProcess;

  /** Set by the first successful start: a restart keeps its port (replicas and clients know it). */
  private started = false;

  private constructor(
    readonly dir: string,
    private currentPort: number,
    private readonly options: PrivateRedisOptions,
  ) {}

  get port(): number {
    return this.currentPort;
  }

  static async create(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
    const dir = resolve(options.parentDir ?? resolve(process.cwd(), '.stack', 'test-redis'), uniqueName());
    mkdirSync(dir, { recursive: true });
    return new PrivateRedis(dir, await freePort(), options);
  }

  /** The server's process id while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (replaying its AOF if it ran before) and resolves once it answers PING. */
  async start(timeoutMs = 30_000): Promise<void> {
    const { appendfsync = 'everysec', replicaOf } = this.options;
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      appendfsync,
      '--save',
      '',
      '--daemonize',
      'no',
      // A replica's first sync starts at once, not after the default 5 s wait for more replicas.
      '--repl-diskless-sync-delay',
      '0',
    ];
    if (replicaOf !== undefined) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        // Most likely its port was taken since it was found free (by another test's server): a first
        // start moves to another free port; a restart cannot.
        if (this.started) throw new Error(`private redis-server exited with ${child.exitCode}`);
        this.currentPort = await freePort();
        return this.start(Math.max(0, deadline - Date.now()));
      }
      if (await answersAs(this.port, child.pid!)) {
        this.started = true;
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`private redis-server did not answer PING within ${timeoutMs} ms`);
  }

  /** SIGTERM: Redis flushes its AOF and exits, as in a planned restart. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** SIGKILL: a crash; only what reached the AOF file survives. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGSTOP: the server freezes (no replies, no replication) until `resume`, as a hung host would. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async destroy(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }
}
