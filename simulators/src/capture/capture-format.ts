import type { SimPublish, SimRun } from '../simulation/simulation.js';

/**
 * A capture is gzip-compressed NDJSON: one header line, then one line per MQTT publish in the
 * order it was (or would be) sent. It holds device ids and metadata, never secrets.
 */
export const CAPTURE_FORMAT = 'citypulse-capture';
export const CAPTURE_VERSION = 1;

export type CaptureSource = 'simulator' | 'tap' | 'influx';

export interface CapturedDevice {
  id: string;
  type: string;
  city: string;
  site: string;
}

export interface CaptureHeader {
  format: typeof CAPTURE_FORMAT;
  version: number;
  /**
   * Where the traffic came from: the simulator, a live city through an operator login (`sim tap`),
   * or readings stored in InfluxDB (`sim capture --from-influx`). The last two have seed 0, no
   * scenario of their own (`tap`, `influx`) and expect nothing.
   */
  source: CaptureSource;
  seed: number;
  scenario: string;
  /** The simulation options, so `sim record` with these gives the same capture again. */
  options: Record<string, unknown>;
  startMs: number;
  endMs: number;
  /** Every device that publishes, for provisioning before a replay. */
  devices: CapturedDevice[];
  /** What the scenario declares it causes: rule ids raised (always / maybe) and rejection reasons. */
  expected: { raises: readonly string[]; mayRaise: readonly string[]; rejects: readonly string[] };
}

export interface CaptureLine {
  /**
   * Epoch ms of the publish: simulated time; for a tap, when it reached the tap (the broker's
   * receive time, to a few ms); from InfluxDB, the reading's own time. The device's own clock
   * may say otherwise in `payload`.
   */
  t: number;
  deviceId: string;
  type: string;
  city: string;
  site: string;
  topic: 'telemetry';
  /** The MQTT payload exactly as published (UTF-8 text; garbage included). */
  payload: string;
  /** The device reconnected just before this publish. */
  reconnect?: true;
}

export function captureHeader(run: SimRun): CaptureHeader {
  const { options, plan, scenario } = run;
  return {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    source: 'simulator',
    seed: options.seed,
    scenario: scenario.name,
    options: { ...options },
    startMs: options.startMs,
    endMs: options.startMs + options.durationMs,
    devices: plan.devices.map((d) => ({ id: d.id, type: d.type.name, city: d.city.name, site: d.site.name })),
    expected: { raises: scenario.raises, mayRaise: scenario.mayRaise, rejects: scenario.rejects },
  };
}

export function captureLine(p: SimPublish): CaptureLine {
  const line: CaptureLine = {
    t: p.t,
    deviceId: p.device.id,
    type: p.device.type.name,
    city: p.device.city.name,
    site: p.device.site.name,
    topic: p.topic,
    payload: p.payload,
  };
  if (p.reconnect) line.reconnect = true;
  return line;
}

export function parseHeader(text: string): CaptureHeader {
  const header = JSON.parse(text) as CaptureHeader;
  if (header.format !== CAPTURE_FORMAT)
    throw new Error(`not a citypulse capture (format ${JSON.stringify(header.format)})`);
  if (header.version !== CAPTURE_VERSION)
    throw new Error(`capture version ${header.version} is not supported (this build reads ${CAPTURE_VERSION})`);
  return header;
}
