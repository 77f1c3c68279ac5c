import { captureHeader, captureLine } from '../capture/capture-format.js';
import { CaptureWriter, type CaptureSummary } from '../capture/capture-writer.js';
import { simulate, type SimRun } from '../simulation/simulation.js';
import { provisionDevices, replaceDevice, type ProvisionResult } from './provision.js';
import { endReplaySession, openReplaySession } from './replay-session.js';
import type { Target } from './replay-capture.js';
import { Sender, type OutgoingPublish } from './sender.js';
import type { SendStats } from './send-stats.js';

export interface LiveRunOptions extends Target {
  speed: number;
  /** Also write what is sent to this capture file. */
  recordPath?: string;
  onStart?: (sender: Sender) => void;
}

export interface LiveRunResult {
  provision: ProvisionResult;
  stats: SendStats;
  capture?: CaptureSummary;
}

/**
 * Simulates a run against a broker on the simulated clock: provisions the fleet, then sends each
 * reading when its simulated time comes (scaled by `speed`), device timestamps as simulated. With
 * `recordPath`, every publish also goes to a capture as it is sent. At any speed but 1× the
 * simulated clock is not the wall clock, so the run is a replay session (its devices' silence judged
 * on their simulated time, as a replay's); at 1× it is live traffic, judged like any device.
 */
export async function runLive(run: SimRun, options: LiveRunOptions): Promise<LiveRunResult> {
  const header = captureHeader(run);
  const provision = await provisionDevices(header.devices, options);
  const inSession = options.speed !== 1 && (await openReplaySession(run.options.prefix, options));
  const devices = new Map(header.devices.map((d) => [d.id, d]));
  const writer = options.recordPath ? await CaptureWriter.open(options.recordPath, header) : undefined;
  const sender = new Sender({
    mqttUrl: options.mqttUrl,
    secrets: provision.secrets,
    speed: options.speed,
    captureStartMs: run.options.startMs,
    shiftMs: 0,
    refreshSecret: (id) => replaceDevice(devices.get(id)!, options),
    log: options.log,
  });
  options.onStart?.(sender);
  async function* publishes(): AsyncGenerator<OutgoingPublish> {
    for (const p of simulate(run)) {
      await writer?.write(captureLine(p));
      yield { t: p.t, deviceId: p.device.id, payload: p.payload, reconnect: p.reconnect };
    }
  }
  try {
    const stats = await sender.run(publishes());
    if (inSession) await endReplaySession(run.options.prefix, header.endMs, options);
    return { provision, stats, capture: await writer?.close() };
  } finally {
    await sender.close();
  }
}
