import { readCaptureHeader, readCaptureLines } from '../capture/capture-reader.js';
import type { CaptureHeader } from '../capture/capture-format.js';
import type { CredentialStore } from './credential-store.js';
import { shiftToNowMs } from './pace.js';
import { provisionDevices, replaceDevice, type ProvisionResult } from './provision.js';
import { endReplaySession, openReplaySession } from './replay-session.js';
import { Sender, type OutgoingPublish } from './sender.js';
import type { SendStats } from './send-stats.js';

export interface Target {
  mqttUrl: string;
  apiUrl: string;
  token: string;
  store: CredentialStore;
  reprovision: boolean;
  log?: (line: string) => void;
}

export interface ReplayOptions extends Target {
  /** 1 = real time, N = N× faster, Infinity = as fast as the broker acknowledges. */
  speed: number;
  /** Keep the devices' timestamps (a backfill, within the broker's 7 days) or move them to now. */
  timestamps: 'keep' | 'now';
  /**
   * Replace the capture's device-id prefix with this one: fresh devices, whose rule state has not
   * seen the capture's times yet (replaying onto devices that already evaluated newer readings
   * only gives the rules late readings, which raise nothing).
   */
  idPrefix?: string;
  /** Called once sending starts, with the live counters (for a progress bar). */
  onStart?: (sender: Sender, header: CaptureHeader) => void;
}

export interface ReplayResult {
  header: CaptureHeader;
  provision: ProvisionResult;
  stats: SendStats;
  shiftMs: number;
  /** The replay session its devices were judged in (deadman on the replayed clock); undefined when there was none. */
  session?: { prefix: string; endMs: number };
}

/**
 * Sends a capture to a broker: provisions its devices (or reuses them), opens their replay session
 * (so the service judges their silence on the replayed clock), replays in order, per device, and
 * ends the session at the capture's end. A failed replay leaves its session open: its devices then
 * raise no deadman alert at all until `sim cleanup` removes them.
 */
export async function replayCapture(path: string, options: ReplayOptions): Promise<ReplayResult> {
  const header = await readCaptureHeader(path);
  const capturedPrefix = typeof header.options.prefix === 'string' ? header.options.prefix : '';
  const rename = renamer(capturedPrefix, options.idPrefix);
  header.devices = header.devices.map((d) => ({ ...d, id: rename(d.id) }));
  const provision = await provisionDevices(header.devices, options);
  const sessionPrefix = options.idPrefix ?? (capturedPrefix || undefined);
  if (!sessionPrefix)
    options.log?.(
      'the capture names no device-id prefix: no replay session, so deadman rules judge its devices on the wall clock',
    );
  const inSession = sessionPrefix !== undefined && (await openReplaySession(sessionPrefix, options));
  const shiftMs =
    options.timestamps === 'now' ? shiftToNowMs(header.startMs, header.endMs, Date.now(), options.speed) : 0;
  const devices = new Map(header.devices.map((d) => [d.id, d]));
  const sender = new Sender({
    mqttUrl: options.mqttUrl,
    secrets: provision.secrets,
    speed: options.speed,
    captureStartMs: header.startMs,
    shiftMs,
    refreshSecret: (id) => replaceDevice(devices.get(id)!, options),
    log: options.log,
  });
  options.onStart?.(sender, header);
  try {
    const stats = await sender.run(publishesOf(path, rename));
    const endMs = header.endMs + shiftMs;
    if (inSession) await endReplaySession(sessionPrefix, endMs, options);
    return { header, provision, stats, shiftMs, ...(inSession && { session: { prefix: sessionPrefix, endMs } }) };
  } finally {
    await sender.close();
  }
}

async function* publishesOf(path: string, rename: (id: string) => string): AsyncGenerator<OutgoingPublish> {
  for await (const line of readCaptureLines(path))
    yield { t: line.t, deviceId: rename(line.deviceId), payload: line.payload, reconnect: line.reconnect };
}

function renamer(from: string, to: string | undefined): (id: string) => string {
  if (to === undefined || !from) return (id) => id;
  return (id) => (id.startsWith(`${from}-`) ? `${to}-${id.slice(from.length + 1)}` : id);
}
