import { luaScript, type RedisClient, type ScriptRunner } from '@citypulse/redis';
import type { ConfigValue } from '@citypulse/contracts';
import {
  DEVICE_STATES,
  FINAL_DEVICE_STATES,
  isFinalJobState,
  type DeviceJobEntry,
  type DeviceJobState,
  type JobCounts,
  type JobSpec,
  type JobState,
  type JobSummary,
} from './job.js';
import { JobKeys } from './job-keys.js';
import { ADVANCE_JOB, MOVE_DEVICE, MOVE_JOB } from './job-scripts.js';

/** A stored job as the engine needs it: the summary plus the rollout cursor. */
export interface StoredJob extends JobSummary {
  deadlineMs: number;
  /** Devices the rollout has reached (positions 0 … released-1 of the order). */
  released: number;
  /** Fractional devices owed by the rate since the last tick. */
  credit: number;
  lastTickMs: number;
  /** The first step (canary) is over: the rate phase runs. */
  rateStarted: boolean;
}

export interface InFlightDevice {
  deviceId: string;
  state: DeviceJobState;
  /** When its wait ends (ms): its deadline; for dispatching, when it was taken. */
  untilMs: number;
  detail: DeviceDetail;
}

/** What the job keeps of each device it reached. */
export interface DeviceDetail {
  commandId?: string;
  sentAt?: string;
  finishedAt?: string;
  error?: string;
}

export interface Advance {
  expectReleased: number;
  count: number;
  credit: number;
  nowMs: number;
  rateStarted: boolean;
}

/** How many order entries one ZADD carries when a job is stored. */
const ORDER_CHUNK = 2000;

/** Fleet jobs in Redis (layout in job-keys.ts); every change of state is one Lua script. */
export class JobStore {
  readonly keys: JobKeys;
  private readonly advanceScript: ScriptRunner;
  private readonly moveDeviceScript: ScriptRunner;
  private readonly moveJobScript: ScriptRunner;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = new JobKeys(prefix);
    this.advanceScript = luaScript(redis, 'job_advance', ADVANCE_JOB);
    this.moveDeviceScript = luaScript(redis, 'job_move_device', MOVE_DEVICE);
    this.moveJobScript = luaScript(redis, 'job_move', MOVE_JOB);
  }

  /**
   * Stores a running job over `deviceIds` (in rollout order), then lists it. `paramsByDevice`: a
   * firmware job's params of each device's command.
   */
  async create(
    id: string,
    spec: JobSpec,
    deviceIds: readonly string[],
    now = new Date(),
    paramsByDevice?: ReadonlyMap<string, Record<string, ConfigValue>>,
  ): Promise<StoredJob> {
    const multi = this.redis.multi();
    const params = [...(paramsByDevice ?? [])];
    for (let i = 0; i < params.length; i += ORDER_CHUNK) {
      multi.hset(
        this.keys.params(id),
        Object.fromEntries(params.slice(i, i + ORDER_CHUNK).map(([d, p]) => [d, JSON.stringify(p)])),
      );
    }
    for (let i = 0; i < deviceIds.length; i += ORDER_CHUNK) {
      const chunk = deviceIds.slice(i, i + ORDER_CHUNK);
      multi.zadd(this.keys.order(id), ...chunk.flatMap((d, j) => [i + j, d]));
    }
    const at = now.toISOString();
    multi.hset(this.keys.meta(id), {
      id,
      spec: JSON.stringify(spec),
      state: 'running',
      total: deviceIds.length,
      released: 0,
      credit: 0,
      lastTickMs: now.getTime(),
      rateStarted: 0,
      createdAt: at,
      updatedAt: at,
    });
    await multi.exec();
    const index = this.redis.multi();
    index.zadd(this.keys.all, now.getTime(), id);
    index.zadd(this.keys.city(spec.selection.city), now.getTime(), id);
    await index.exec();
    return (await this.get(id))!;
  }

  async get(id: string): Promise<StoredJob | undefined> {
    return toJob(await this.redis.hgetall(this.keys.meta(id)));
  }

  /** Jobs newest first, of one city or of several (undefined: every city). */
  async list(options: {
    cities?: readonly string[];
    state?: JobState;
    limit: number;
    offset: number;
  }): Promise<{ items: JobSummary[]; total: number }> {
    const sources = options.cities ? options.cities.map((c) => this.keys.city(c)) : [this.keys.all];
    const scored: Array<[string, number]> = [];
    for (const source of sources) {
      const flat = await this.redis.zrange(source, '0', '-1', 'WITHSCORES');
      for (let i = 0; i < flat.length; i += 2) scored.push([flat[i], Number(flat[i + 1])]);
    }
    scored.sort((a, b) => b[1] - a[1]);
    // One command per job (each job has its own slot on a cluster, so no pipeline).
    const jobs = (await Promise.all(scored.map(([id]) => this.redis.hgetall(this.keys.meta(id)))))
      .map(toJob)
      .filter((j): j is StoredJob => j !== undefined);
    const matching = jobs.filter((j) => !options.state || j.state === options.state).map(toSummary);
    return { items: matching.slice(options.offset, options.offset + options.limit), total: matching.length };
  }

  /** Each selected device with its state, in rollout order; `state` narrows to one state. */
  async devices(
    job: StoredJob,
    options: { state?: DeviceJobState; limit: number; offset: number },
  ): Promise<{ items: DeviceJobEntry[]; total: number }> {
    const notReached: DeviceJobState = isFinalJobState(job.state) ? 'skipped' : 'queued';
    if (options.state === notReached) {
      const ids = await this.redis.zrange(
        this.keys.order(job.id),
        String(job.released + options.offset),
        String(job.released + options.offset + options.limit - 1),
      );
      return { items: ids.map((deviceId) => ({ deviceId, state: notReached })), total: job.total - job.released };
    }
    if (options.state) {
      const states = await this.redis.hgetall(this.keys.states(job.id));
      const matching = Object.keys(states)
        .filter((d) => states[d] === options.state)
        .sort();
      const page = matching.slice(options.offset, options.offset + options.limit);
      return { items: await this.entries(job.id, page, states), total: matching.length };
    }
    const ids = await this.redis.zrange(
      this.keys.order(job.id),
      String(options.offset),
      String(options.offset + options.limit - 1),
    );
    const reached = ids.length === 0 ? [] : await this.redis.hmget(this.keys.states(job.id), ...ids);
    const states = Object.fromEntries(ids.map((d, i) => [d, reached[i] ?? notReached]));
    return { items: await this.entries(job.id, ids, states), total: job.total };
  }

  private async entries(jobId: string, ids: string[], states: Record<string, string>): Promise<DeviceJobEntry[]> {
    const details = ids.length === 0 ? [] : await this.redis.hmget(this.keys.detail(jobId), ...ids);
    return ids.map((deviceId, i) => ({
      deviceId,
      state: states[deviceId] as DeviceJobState,
      ...(details[i] ? (JSON.parse(details[i]) as DeviceDetail) : {}),
    }));
  }

  /** Takes the next `count` devices of a running job (marked dispatching); [] if the job moved on meanwhile. */
  async advance(jobId: string, step: Advance): Promise<string[]> {
    const k = this.keys;
    return (await this.advanceScript(
      [k.meta(jobId), k.order(jobId), k.states(jobId), k.inflight(jobId)],
      [
        step.expectReleased,
        step.count,
        step.credit,
        step.nowMs,
        step.rateStarted ? '1' : '0',
        new Date(step.nowMs).toISOString(),
      ],
    )) as string[];
  }

  /**
   * Moves one device's state if it is in one of `from`; a final state leaves the in-flight set,
   * any other stays in it until `untilMs`. False when the device was elsewhere (someone else moved it).
   */
  async moveDevice(
    jobId: string,
    deviceId: string,
    move: { from: readonly DeviceJobState[]; to: DeviceJobState; detail?: DeviceDetail; untilMs?: number },
  ): Promise<boolean> {
    const k = this.keys;
    const final = FINAL_DEVICE_STATES.includes(move.to);
    const moved = await this.moveDeviceScript(
      [k.meta(jobId), k.states(jobId), k.detail(jobId), k.inflight(jobId)],
      [
        deviceId,
        move.to,
        move.detail ? JSON.stringify(move.detail) : '',
        final ? '' : String(move.untilMs ?? 0),
        new Date().toISOString(),
        ...move.from,
      ],
    );
    return moved === 1;
  }

  /** Moves the job's state if it is in one of `from`. */
  async moveJob(
    jobId: string,
    to: JobState,
    from: readonly JobState[],
    reason = '',
    now = new Date(),
  ): Promise<{ moved: boolean; state?: JobState }> {
    const [moved, state] = (await this.moveJobScript(
      [this.keys.meta(jobId)],
      [to, now.getTime(), now.toISOString(), reason, ...from],
    )) as [number, string];
    return { moved: moved === 1, ...(state ? { state: (moved === 1 ? to : state) as JobState } : {}) };
  }

  /** Devices dispatching, waiting or in progress, with their details. */
  async inFlight(jobId: string): Promise<InFlightDevice[]> {
    const flat = await this.redis.zrange(this.keys.inflight(jobId), '0', '-1', 'WITHSCORES');
    const ids: string[] = [];
    const until: number[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      ids.push(flat[i]);
      until.push(Number(flat[i + 1]));
    }
    if (ids.length === 0) return [];
    const [states, details] = await Promise.all([
      this.redis.hmget(this.keys.states(jobId), ...ids),
      this.redis.hmget(this.keys.detail(jobId), ...ids),
    ]);
    return ids.map((deviceId, i) => ({
      deviceId,
      state: states[i] as DeviceJobState,
      untilMs: until[i],
      detail: details[i] ? (JSON.parse(details[i]) as DeviceDetail) : {},
    }));
  }

  /** Takes the job's tick lock for `ttlMs` (a crashed holder's lock expires); false if another worker holds it. */
  async lock(jobId: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.lock(jobId), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async unlock(jobId: string, owner: string): Promise<void> {
    if ((await this.redis.get(this.keys.lock(jobId))) === owner) await this.redis.del(this.keys.lock(jobId));
  }

  /** The params of a firmware job's command to this device. */
  async deviceParams(jobId: string, deviceId: string): Promise<Record<string, ConfigValue> | undefined> {
    const json = await this.redis.hget(this.keys.params(jobId), deviceId);
    return json ? (JSON.parse(json) as Record<string, ConfigValue>) : undefined;
  }
}

function toJob(hash: Record<string, string> | null | undefined): StoredJob | undefined {
  if (!hash || !hash.id || !hash.spec) return undefined;
  const spec = JSON.parse(hash.spec) as JobSpec;
  const state = hash.state as JobState;
  const total = Number(hash.total);
  const released = Number(hash.released);
  const counts = Object.fromEntries(DEVICE_STATES.map((s) => [s, Number(hash[`c:${s}`] ?? 0)])) as JobCounts;
  counts.queued = isFinalJobState(state) ? 0 : total - released;
  const { deadlineMs, ...rest } = spec;
  return {
    ...rest,
    id: hash.id,
    kind: spec.payload.kind,
    city: spec.selection.city,
    state,
    total,
    counts,
    createdAt: hash.createdAt,
    deadline: new Date(deadlineMs).toISOString(),
    updatedAt: hash.updatedAt,
    ...(hash.reason ? { reason: hash.reason } : {}),
    deadlineMs,
    released,
    credit: Number(hash.credit),
    lastTickMs: Number(hash.lastTickMs),
    rateStarted: hash.rateStarted === '1',
  };
}

/** What the API shows of a job (no rollout internals). */
export function toSummary(job: StoredJob): JobSummary {
  const { deadlineMs: _d, released: _r, credit: _c, lastTickMs: _l, rateStarted: _s, ...summary } = job;
  return summary;
}
