import type { ConfigValue } from '@citypulse/contracts';

/** What a fleet job sends each device. */
export const JOB_KINDS = ['command', 'config', 'firmware'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** The command name of a firmware job (its device side is the firmware-update handler of the device client). */
export const FIRMWARE_COMMAND = 'firmware-update';

/**
 * A job's states. `running` and `paused` are live; the rest are final:
 * `completed` (every device done and the success criteria met), `failed` (done, criteria not met),
 * `aborted` (the abort threshold was crossed), `cancelled` (by an operator).
 */
export const JOB_STATES = ['running', 'paused', 'completed', 'failed', 'aborted', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const LIVE_JOB_STATES: readonly JobState[] = ['running', 'paused'];

/**
 * Where each selected device stands:
 * - `queued`: the rollout has not reached it yet;
 * - `dispatching`: the engine took it and is sending (a crash here is resumed, never sent twice);
 * - `waiting`: reached while offline: nothing sent yet; sent when it connects, until the job's deadline;
 * - `in-progress`: sent to the connected device; the job waits for its outcome (at most the device timeout);
 * - `succeeded`, `failed`, `timed-out`: its outcome (`timed-out` too for a device still offline at the deadline);
 * - `skipped`: never sent: the job ended (cancelled, aborted, deadline) before the device was sent anything.
 */
export const DEVICE_STATES = [
  'queued',
  'dispatching',
  'waiting',
  'in-progress',
  'succeeded',
  'failed',
  'timed-out',
  'skipped',
] as const;
export type DeviceJobState = (typeof DEVICE_STATES)[number];
export const FINAL_DEVICE_STATES: readonly DeviceJobState[] = ['succeeded', 'failed', 'timed-out', 'skipped'];
export const IN_FLIGHT_DEVICE_STATES: readonly DeviceJobState[] = ['dispatching', 'waiting', 'in-progress'];

export type JobCounts = Record<DeviceJobState, number>;

/** Which devices a job is for: one city, optionally narrowed; `deviceIds` instead of (or within) the filters. */
export interface JobSelection {
  city: string;
  site?: string;
  type?: string;
  firmwareVersion?: string;
  deviceIds?: string[];
}

export type JobPayload =
  | { kind: 'command'; name: string; params: Record<string, ConfigValue> }
  | { kind: 'config'; desired: Record<string, ConfigValue> }
  /**
   * Each device's params (url, version, size, sha256, its own download token) are made at creation and kept per device.
   */
  | { kind: 'firmware'; imageId: string; version: string };

export interface JobRollout {
  /**
   * Devices of the first step (the canary); the rate phase starts once each of them has an outcome (offline ones
   * excepted).
   */
  initialCount: number;
  /** Devices released per minute after the first step. */
  ratePerMinute: number;
}

/** What a new job is, before it is stored. */
export interface JobSpec {
  name: string;
  payload: JobPayload;
  selection: JobSelection;
  rollout: JobRollout;
  /** Abort when more than this share (%) of the devices reached so far failed or timed out. */
  abortFailurePercent: number;
  /** The job is `completed` when at least this share (%) of the selected devices succeeded, else `failed`. */
  successPercent: number;
  /** How long an online device has to answer. */
  deviceTimeoutS: number;
  /** Epoch ms: nothing is sent after it; offline devices that did not come back by then are timed out. */
  deadlineMs: number;
  createdBy: string;
}

export interface JobSummary extends Omit<JobSpec, 'deadlineMs'> {
  id: string;
  kind: JobKind;
  city: string;
  state: JobState;
  total: number;
  counts: JobCounts;
  createdAt: string;
  deadline: string;
  updatedAt: string;
  /** Why the job ended as it did (abort rule, deadline, who cancelled). */
  reason?: string;
}

export interface DeviceJobEntry {
  deviceId: string;
  state: DeviceJobState;
  commandId?: string;
  sentAt?: string;
  finishedAt?: string;
  error?: string;
}

export function emptyCounts(): JobCounts {
  return Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as JobCounts;
}

export function isFinalJobState(state: JobState): boolean {
  return !LIVE_JOB_STATES.includes(state);
}
