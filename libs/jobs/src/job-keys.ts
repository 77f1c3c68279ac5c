import { slotTag } from '@citypulse/redis';

/**
 * Where jobs live in Redis. Each job's keys share the tag `{<prefix>:job:<id>}` (its scripts touch
 * its meta, rollout order, device states and in-flight set together; jobs spread over a cluster's
 * shards). The job lists share `{<prefix>:jobs}`. A job's commands and desired configs are the
 * devices' own keys (libs/commands, libs/shadow), written one device at a time, never in a job script.
 */
export class JobKeys {
  readonly indexTag: string;

  constructor(readonly prefix: string) {
    this.indexTag = slotTag(prefix, 'jobs');
  }

  tag(jobId: string): string {
    return slotTag(this.prefix, `job:${jobId}`);
  }
  /** Hash: the spec, state, rollout cursor and per-state counters. */
  meta(jobId: string): string {
    return `${this.tag(jobId)}:meta`;
  }
  /** Sorted set: the selected devices, score = position in the rollout. */
  order(jobId: string): string {
    return `${this.tag(jobId)}:order`;
  }
  /** Hash: device → state, for devices the rollout has reached. */
  states(jobId: string): string {
    return `${this.tag(jobId)}:states`;
  }
  /** Hash: device → JSON detail (command id, times, error). */
  detail(jobId: string): string {
    return `${this.tag(jobId)}:detail`;
  }
  /** Sorted set: devices dispatching, waiting or in progress; score = when the device's wait ends (ms). */
  inflight(jobId: string): string {
    return `${this.tag(jobId)}:inflight`;
  }
  /** Hash: device → JSON params of its firmware-update command (a download token per device). */
  params(jobId: string): string {
    return `${this.tag(jobId)}:params`;
  }
  /** One tick at a time per job, across every worker. */
  lock(jobId: string): string {
    return `${this.tag(jobId)}:lock`;
  }
  /** Sorted set of every job id by creation time. */
  get all(): string {
    return `${this.indexTag}:all`;
  }
  /** Sorted set of a city's job ids by creation time. */
  city(city: string): string {
    return `${this.indexTag}:city:${city}`;
  }
}
