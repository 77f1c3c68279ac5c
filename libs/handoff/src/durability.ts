import type { Redis } from 'ioredis';
import type { RedisClient } from '@citypulse/redis';

/** What a PUBACK survives; see README "Durability levels" (CP_HANDOFF_DURABILITY). */
export type HandoffDurability = 'everysec' | 'always' | 'replica';

export interface ReplicaWaitOptions {
  /** Replicas that must acknowledge the write (WAIT numreplicas). */
  replicas: number;
  timeoutMs: number;
  /** Told of every write that too few replicas acknowledged in time (for a counter). */
  onTimeout?: (acknowledged: number) => void;
}

/** A hand-off write that did not reach enough replicas in time: its publishes get no PUBACK. */
export class HandoffNotReplicatedError extends Error {
  constructor(
    readonly acknowledged: number,
    readonly wanted: number,
    readonly timeoutMs: number,
  ) {
    super(
      `hand-off write not confirmed by ${wanted} replica(s) within ${timeoutMs} ms (${acknowledged} ` +
        `acknowledged): no PUBACK, the device will send it again`,
    );
    this.name = 'HandoffNotReplicatedError';
  }
}

/**
 * The `replica` level's step after each hand-off write: WAIT until `replicas` replicas have every
 * write made so far on the connection that wrote `key`. WAIT counts a client's own writes, so it
 * must go over that very connection: on a Redis Cluster, the connection to the master holding
 * `key`'s slot. A pipeline is sent to the node of its keyed commands, so a keyed no-op (EXISTS)
 * pins the WAIT beside it to that connection — on one Redis it is simply the one connection.
 */
export function replicaWait(redis: RedisClient, options: ReplicaWaitOptions): (key: string) => Promise<void> {
  return async (key) => {
    const results = await redis.pipeline().exists(key).wait(options.replicas, options.timeoutMs).exec();
    const [err, acknowledged] = results?.[1] ?? [new Error('WAIT got no reply'), 0];
    if (err) throw err;
    if (Number(acknowledged) < options.replicas) {
      options.onTimeout?.(Number(acknowledged));
      throw new HandoffNotReplicatedError(Number(acknowledged), options.replicas, options.timeoutMs);
    }
  };
}

export interface DurabilityCheck {
  /** Settings that contradict the level: the broker refuses to start. */
  problems: string[];
  /** Settings that weaken it, or could not be read (CONFIG disabled on a managed Redis): logged. */
  warnings: string[];
}

/**
 * Compares every data node's persistence settings with the chosen level, once at start:
 * `always` needs `appendonly yes` and `appendfsync always`; `replica` needs at least
 * `replicas` connected replicas on each master; `everysec` warns when AOF is off altogether.
 */
export async function checkDurability(
  nodes: readonly Redis[],
  level: HandoffDurability,
  replicas: number,
): Promise<DurabilityCheck> {
  const check: DurabilityCheck = { problems: [], warnings: [] };
  for (const node of nodes) {
    const name = `${node.options.host}:${node.options.port}`;
    let aof: { appendonly?: string; appendfsync?: string };
    try {
      const reply = (await node.call('CONFIG', 'GET', 'append*')) as string[];
      aof = Object.fromEntries(reply.flatMap((v, i) => (i % 2 === 0 ? [[v, reply[i + 1]]] : [])));
    } catch (err) {
      check.warnings.push(
        `${name}: cannot read CONFIG (${(err as Error).message}); CP_HANDOFF_DURABILITY=${level} not verified`,
      );
      aof = {};
    }
    if (
      level === 'always' &&
      aof.appendfsync !== undefined &&
      (aof.appendonly !== 'yes' || aof.appendfsync !== 'always')
    ) {
      check.problems.push(
        `${name}: CP_HANDOFF_DURABILITY=always needs appendonly yes and appendfsync always, the server has ` +
          `appendonly ${aof.appendonly}, appendfsync ${aof.appendfsync}`,
      );
    }
    if (level !== 'always' && aof.appendonly === 'no') {
      check.warnings.push(
        `${name}: AOF is off (appendonly no): a Redis restart loses every reading not yet in InfluxDB`,
      );
    }
    if (level === 'replica') {
      const connected = Number(/^connected_slaves:(\d+)/m.exec(await node.info('replication'))?.[1] ?? 0);
      if (connected < replicas)
        check.problems.push(
          `${name}: CP_HANDOFF_DURABILITY=replica needs ${replicas} connected replica(s) ` +
            `(CP_HANDOFF_WAIT_REPLICAS), the server has ${connected}`,
        );
    }
  }
  return check;
}
