import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { uniqueName } from './test-config.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/** What `CLUSTER INFO` says on one node, as field → value. */
async function clusterInfo(port: number): Promise<Record<string, string>> {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'cluster', 'info'], {
      timeout: 2000,
    });
    return Object.fromEntries(
      stdout
        .split(/\r?\n/)
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':', 2) as [string, string]),
    );
  } catch {
    return {};
  }
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`private Redis Cluster: ${what} not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface PrivateRedisClusterOptions {
  /** @defaultValue 3 */
  masters?: number;
  /**
   * For the `replica` durability level (redis-cli chooses which nodes replicate which: INFO replication tells).
   * @defaultValue 0
   */
  replicasPerMaster?: number;
  /** AOF fsync policy of every node. @defaultValue everysec (production's) */
  appendfsync?: 'always' | 'everysec';
  /** Where its directory goes (a bench keeps its servers under .bench/). @defaultValue .stack/test-redis-cluster */
  parentDir?: string;
}

/**
 * A private Redis Cluster of three masters (and, if asked, replicas of each) with the production durability settings
 * (AOF, fsync every second), on free ports and its own directory under .stack/, for a test that
 * restarts or kills a master: doing that to the shared stack's cluster would break every other
 * test running meanwhile. The cluster bus ports are free ports too (`cluster-port`).
 */
export class PrivateRedisCluster {
  private readonly children: Array<ChildProcess | undefined> = [];

  private constructor(
    readonly dir: string,
    readonly ports: number[],
    private readonly busPorts: number[],
    private readonly replicasPerMaster: number,
    private readonly appendfsync: 'always' | 'everysec',
  ) {}

  static async create({
    masters = 3,
    replicasPerMaster = 0,
    appendfsync = 'everysec',
    parentDir,
  }: PrivateRedisClusterOptions = {}): Promise<PrivateRedisCluster> {
    const dir = resolve(parentDir ?? resolve(process.cwd(), '.stack', 'test-redis-cluster'), uniqueName());
    const ports: number[] = [];
    const busPorts: number[] = [];
    // One at a time: freePort closes its listener before returning, so ask for distinct ones.
    const nodes = masters * (1 + replicasPerMaster);
    while (ports.length < nodes * 2) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    busPorts.push(...ports.splice(nodes));
    return new PrivateRedisCluster(dir, ports, busPorts, replicasPerMaster, appendfsync);
  }

  /** Each node's process id while it runs, in the order of `ports`. */
  get pids(): Array<number | undefined> {
    return this.ports.map((_, i) => this.children[i]?.pid);
  }

  /** CP_REDIS_CLUSTER_NODES for this cluster. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  /** Starts every node, forms the cluster and resolves once every node reports cluster_state:ok. */
  async start(timeoutMs = 30_000): Promise<void> {
    for (let i = 0; i < this.ports.length; i++) this.startNode(i);
    await until('every node answering', timeoutMs, async () =>
      (await Promise.all(this.ports.map(clusterInfo))).every((info) => info.cluster_state !== undefined),
    );
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...this.ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        String(this.replicasPerMaster),
        '--cluster-yes',
      ],
      { timeout: timeoutMs },
    );
    await this.waitHealthy(timeoutMs);
  }

  /** The index (in `ports`) of the master serving `key`'s slot. */
  async nodeIndexOf(key: string): Promise<number> {
    const cli = async (...args: string[]) =>
      (
        await run('redis-cli', ['-h', '127.0.0.1', '-p', String(this.ports[0]), ...args], { timeout: 2000 })
      ).stdout.trim();
    const slot = Number(await cli('cluster', 'keyslot', key));
    // CLUSTER NODES: `<id> <host:port@bus> <flags> … <slot ranges>` per line.
    for (const line of (await cli('cluster', 'nodes')).split('\n')) {
      const [, address, , , , , , , ...ranges] = line.split(' ');
      const owns = ranges.some((range) => {
        const [from, to = from] = range.split('-').map(Number);
        return slot >= from && slot <= to;
      });
      if (owns) return this.ports.indexOf(Number(address.split('@')[0].split(':')[1]));
    }
    throw new Error(`private Redis Cluster: no master serves slot ${slot} of ${key}`);
  }

  /**
   * SIGTERM to one master (Redis flushes its AOF and exits, as in a planned restart), then starts it again from its
   * AOF.
   */
  async restartNode(index: number, timeoutMs = 30_000): Promise<void> {
    await this.signal(index, 'SIGTERM');
    this.startNode(index);
    await this.waitHealthy(timeoutMs);
  }

  /** SIGSTOP: the node freezes (no replies, no replication) until `resume`, as a hung host would. */
  pause(index: number): void {
    this.children[index]?.kill('SIGSTOP');
  }

  resume(index: number): void {
    this.children[index]?.kill('SIGCONT');
  }

  /** SIGTERM to every node (each flushes its AOF and exits); the data stays. */
  async stop(): Promise<void> {
    await Promise.all(this.ports.map((_, i) => this.signal(i, 'SIGTERM')));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.ports.map((_, i) => this.signal(i, 'SIGKILL')));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    await until('cluster_state:ok on every node', timeoutMs, async () =>
      (await Promise.all(this.ports.map(clusterInfo))).every(
        (info) => info.cluster_state === 'ok' && info.cluster_known_nodes === String(this.ports.length),
      ),
    );
  }

  private startNode(index: number): void {
    const port = this.ports[index];
    const dir = resolve(this.dir, String(port));
    mkdirSync(dir, { recursive: true });
    const args = [
      '--port',
      String(port),
      '--cluster-port',
      String(this.busPorts[index]),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      '5000',
      '--appendonly',
      'yes',
      '--appendfsync',
      this.appendfsync,
      '--save',
      '',
      // A replica's first sync starts at once, not after the default 5 s wait for more replicas.
      '--repl-diskless-sync-delay',
      '0',
    ];
    this.children[index] = spawn('redis-server', args, { stdio: 'ignore' });
  }

  private async signal(index: number, signal: NodeJS.Signals): Promise<void> {
    const child = this.children[index];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    await exited;
  }
}
