import type { CommandStore } from '@citypulse/commands';
import type { ShadowStore } from '@citypulse/shadow';
import type { CommandTimeoutJob, ConfigValue } from '@citypulse/contracts';
import { FIRMWARE_COMMAND, isFinalJobState } from './job.js';
import type { InFlightDevice, JobStore, StoredJob } from './job-store.js';
import { jobCommandId } from './command-id.js';
import { planRollout } from './rollout-plan.js';

export interface JobEngineDeps {
  store: JobStore;
  commands: CommandStore;
  shadows: ShadowStore;
  /** Whether each device is connected now (the registry's presence). */
  online(deviceIds: readonly string[]): Promise<boolean[]>;
  /**
   * Schedules the delayed job that times a command out (the brokers' command-timeouts queue); idempotent per command
   * id.
   */
  scheduleTimeout(job: CommandTimeoutJob, delayMs: number): Promise<void>;
  /** A firmware job ended: its hold on the image ends (libs/firmware FirmwareCatalogue.release). */
  releaseImage(imageId: string, holder: string): Promise<void>;
  /** Names this worker in the job's tick lock. */
  owner: string;
  /** How long a tick may hold a job's lock before another worker may take over (a crashed worker's lock lapses). */
  lockMs: number;
  /** Most devices released in one tick. */
  maxBatch: number;
  /** Devices sent to at once. */
  concurrency: number;
}

/**
 * What a tick left: `live` (tick again), `done` (final and nothing in flight: stop ticking), `busy` (another worker
 * holds it), `gone`.
 */
export type TickResult = 'live' | 'done' | 'busy' | 'gone';

/**
 * Drives fleet jobs one tick at a time (a BullMQ job scheduler per fleet job calls `tick`), from
 * state in Redis only, so any worker can take over after a crash:
 * 1. finish sending to devices a crashed tick had taken (the command id is derived from job and
 *    device, and stored only if absent: never sent twice);
 * 2. collect outcomes: the command's final status (command and firmware jobs), or the reported
 *    config matching the desired one (config jobs); send to waiting devices that came online;
 *    time out devices whose wait ended;
 * 3. decide the next step (rollout-plan.ts): abort, finish, or release more devices, and send to them.
 */
export class JobEngine {
  constructor(private readonly deps: JobEngineDeps) {}

  async tick(jobId: string, nowMs = Date.now()): Promise<TickResult> {
    const { store } = this.deps;
    if (!(await store.lock(jobId, this.deps.owner, this.deps.lockMs))) return 'busy';
    try {
      let job = await store.get(jobId);
      if (!job) return 'gone';
      const inFlight = await store.inFlight(jobId);
      await this.send(
        job,
        inFlight.filter((d) => d.state === 'dispatching').map((d) => d.deviceId),
        nowMs,
      );
      await this.collect(
        job,
        inFlight.filter((d) => d.state === 'in-progress'),
        nowMs,
      );
      await this.handleWaiting(
        job,
        inFlight.filter((d) => d.state === 'waiting'),
        nowMs,
      );

      job = (await store.get(jobId))!;
      if (!isFinalJobState(job.state)) {
        const step = planRollout(
          {
            ...job,
            state: job.state as 'running' | 'paused',
            initialCount: job.rollout.initialCount,
            ratePerMinute: job.rollout.ratePerMinute,
          },
          nowMs,
          this.deps.maxBatch,
        );
        if (step.action === 'abort') await store.moveJob(jobId, 'aborted', ['running', 'paused'], step.reason);
        else if (step.action === 'finish') await store.moveJob(jobId, step.state, ['running', 'paused'], step.reason);
        else if (step.action === 'release' && job.state === 'running') {
          const ids = await store.advance(jobId, {
            expectReleased: job.released,
            count: step.count,
            credit: step.credit,
            nowMs,
            rateStarted: step.rateStarted,
          });
          await this.send(job, ids, nowMs);
        }
        job = (await store.get(jobId))!;
      }
      if (!isFinalJobState(job.state)) return 'live';
      // Ended: devices still waiting for their connection are spared; in-progress ones are still followed to their
      // outcome.
      const left = await store.inFlight(jobId);
      for (const d of left.filter((x) => x.state === 'waiting'))
        await store.moveDevice(jobId, d.deviceId, { from: ['waiting'], to: 'skipped' });
      if (left.some((d) => d.state !== 'waiting')) return 'live';
      if (job.payload.kind === 'firmware') await this.deps.releaseImage(job.payload.imageId, jobImageHolder(job.id));
      return 'done';
    } finally {
      await store.unlock(jobId, this.deps.owner);
    }
  }

  /** Sends the job to these dispatching devices: connected ones get it now, the others wait. */
  private async send(job: StoredJob, deviceIds: readonly string[], nowMs: number): Promise<void> {
    if (deviceIds.length === 0) return;
    const online = await this.deps.online(deviceIds);
    await inParallel(deviceIds.length, this.deps.concurrency, async (i) => {
      const deviceId = deviceIds[i];
      if (!online[i]) {
        await this.deps.store.moveDevice(job.id, deviceId, {
          from: ['dispatching'],
          to: 'waiting',
          untilMs: job.deadlineMs,
        });
        return;
      }
      const timeoutS = job.deviceTimeoutS;
      const commandId = await this.deliver(job, deviceId, timeoutS, nowMs);
      await this.deps.store.moveDevice(job.id, deviceId, {
        from: ['dispatching'],
        to: 'in-progress',
        untilMs: nowMs + timeoutS * 1000,
        detail: { ...(commandId && { commandId }), sentAt: new Date(nowMs).toISOString() },
      });
    });
  }

  /** The one send per device: a command (stored only if absent) or the desired config. Returns the command id. */
  private async deliver(
    job: StoredJob,
    deviceId: string,
    timeoutS: number,
    nowMs: number,
  ): Promise<string | undefined> {
    const payload = job.payload;
    if (payload.kind === 'config') {
      await this.deps.shadows.setDesired(deviceId, payload.desired, { at: new Date(nowMs) });
      return undefined;
    }
    const commandId = jobCommandId(job.id, deviceId);
    const params = payload.kind === 'firmware' ? await this.deps.store.deviceParams(job.id, deviceId) : payload.params;
    if (!params) throw new Error(`job ${job.id} has no firmware params for ${deviceId}`);
    // The timeout first, as the API does: a command must never exist without the job that ends it.
    await this.deps.scheduleTimeout({ commandId, deviceId }, timeoutS * 1000);
    await this.deps.commands.createOnce(
      {
        id: commandId,
        deviceId,
        name: payload.kind === 'firmware' ? FIRMWARE_COMMAND : payload.name,
        params,
        timeoutS,
      },
      new Date(nowMs),
    );
    return commandId;
  }

  /** Outcomes of devices that have the job. */
  private async collect(job: StoredJob, devices: InFlightDevice[], nowMs: number): Promise<void> {
    if (devices.length === 0) return;
    const payload = job.payload;
    if (payload.kind === 'config') {
      await inParallel(devices.length, this.deps.concurrency, async (i) => {
        const d = devices[i];
        const shadow = await this.deps.shadows.get(d.deviceId);
        if (reports(shadow.reported, payload.desired)) await this.finish(job, d, 'succeeded', nowMs);
        else if (nowMs >= d.untilMs)
          await this.finish(
            job,
            d,
            'timed-out',
            nowMs,
            `the device did not report the desired config within ${job.deviceTimeoutS} s`,
          );
      });
      return;
    }
    const statuses = await this.deps.commands.statuses(
      devices.map((d) => ({ deviceId: d.deviceId, id: d.detail.commandId ?? jobCommandId(job.id, d.deviceId) })),
    );
    await inParallel(devices.length, this.deps.concurrency, async (i) => {
      const status = statuses[i];
      if (!status)
        return this.finish(job, devices[i], 'failed', nowMs, 'the command no longer exists (the device was deleted?)');
      if (status.status === 'succeeded' || status.status === 'failed' || status.status === 'timed-out')
        await this.finish(job, devices[i], status.status, nowMs, status.error);
    });
  }

  /** Devices reached while offline: sent to once they connect, timed out at the deadline. */
  private async handleWaiting(job: StoredJob, devices: InFlightDevice[], nowMs: number): Promise<void> {
    if (devices.length === 0) return;
    if (nowMs >= job.deadlineMs) {
      for (const d of devices)
        await this.finish(job, d, 'timed-out', nowMs, 'the device did not connect before the job’s deadline');
      return;
    }
    if (job.state !== 'running') return;
    const online = await this.deps.online(devices.map((d) => d.deviceId));
    const back = devices.filter((_, i) => online[i]).map((d) => d.deviceId);
    const taken: string[] = [];
    for (const deviceId of back)
      if (await this.deps.store.moveDevice(job.id, deviceId, { from: ['waiting'], to: 'dispatching', untilMs: nowMs }))
        taken.push(deviceId);
    await this.send(job, taken, nowMs);
  }

  private async finish(
    job: StoredJob,
    device: InFlightDevice,
    to: 'succeeded' | 'failed' | 'timed-out',
    nowMs: number,
    error?: string,
  ): Promise<void> {
    await this.deps.store.moveDevice(job.id, device.deviceId, {
      from: ['in-progress', 'waiting'],
      to,
      detail: { ...device.detail, finishedAt: new Date(nowMs).toISOString(), ...(error && { error }) },
    });
  }
}

/** Who holds a firmware image in the catalogue's "in use" marks while a job may still send it. */
export function jobImageHolder(jobId: string): string {
  return `job:${jobId}`;
}

/** Every desired key is reported with the desired value. */
function reports(reported: Record<string, ConfigValue>, desired: Record<string, ConfigValue>): boolean {
  return Object.entries(desired).every(([key, value]) => Object.hasOwn(reported, key) && reported[key] === value);
}

async function inParallel(count: number, concurrency: number, run: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await run(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
