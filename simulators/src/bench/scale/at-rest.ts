import { log } from '../common/bench-log.js';
import { CpuWatch } from '../common/proc-stats.js';
import { commandDelta, readCommandCalls, type RedisNode } from '../common/redis-stats.js';

/** What the processes used with every device connected and nothing published. */
export interface AtRest {
  seconds: number;
  /** CPU ms per watched process over `seconds`. */
  cpuMs: Record<string, number>;
  /** Redis calls over `seconds`, summed over the nodes: polls, heartbeats, lease renewals, BullMQ. */
  redisCommands: number;
  /** The same by command, to see which fixed activity they are. */
  redisByCommand: Record<string, number>;
}

/** After the connect storm has died down, what each process costs per second doing nothing. */
const SETTLE_MS = 1000;

/**
 * The fixed cost of a configuration: CPU per process and Redis calls over `seconds` at rest, so the
 * report can tell cost that grows with time and process count from cost that grows with readings.
 * 0 seconds skips it (all at-rest figures 0, net = gross).
 */
export async function measureAtRest(
  pids: Record<string, number | undefined>,
  nodes: RedisNode[],
  seconds: number,
): Promise<AtRest> {
  if (seconds <= 0) return { seconds: 0, cpuMs: {}, redisCommands: 0, redisByCommand: {} };
  await sleep(SETTLE_MS);
  log(`measuring ${seconds} s at rest (devices connected, nothing published)`);
  const cpu = new CpuWatch(pids);
  const before = await readCommandCalls(nodes);
  cpu.start();
  await sleep(seconds * 1000);
  const use = cpu.stop();
  const commands = commandDelta(before, await readCommandCalls(nodes));
  return {
    seconds: use.windowS,
    cpuMs: use.perProcessCpuMs,
    redisCommands: commands.total,
    redisByCommand: commands.byCommand,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
