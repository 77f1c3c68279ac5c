import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CAPTURE_FORMAT,
  CAPTURE_VERSION,
  type CapturedDevice,
  type CaptureHeader,
  type CaptureLine,
  type CaptureSource,
} from './capture-format.js';
import { readCaptureLines } from './capture-reader.js';
import { CaptureWriter, type CaptureSummary } from './capture-writer.js';

export interface SpoolEnd {
  source: Exclude<CaptureSource, 'simulator'>;
  /** What made it (city, types, range…), never a secret. */
  options: Record<string, unknown>;
  /** The span the capture covers; defaults to the first line's `t` … one past the last. */
  startMs?: number;
  endMs?: number;
}

/**
 * A capture whose header is only known at the end (a tap or an InfluxDB read learns its devices and
 * time span as it goes, while the header comes first in the file): lines go to a scratch capture
 * as they arrive, and `finish` writes the real one, header first, streaming the lines across.
 */
export class CaptureSpool {
  private readonly devices = new Map<string, CapturedDevice>();
  private firstMs = Infinity;
  private lastMs = -Infinity;
  private lineCount = 0;

  private constructor(
    private readonly dir: string,
    private readonly writer: CaptureWriter,
  ) {}

  static async open(): Promise<CaptureSpool> {
    const dir = await mkdtemp(join(tmpdir(), 'cp-capture-spool-'));
    // The scratch file is a capture too (under a placeholder header), so it reads back as one.
    const writer = await CaptureWriter.open(
      join(dir, 'lines.ndjson.gz'),
      headerOf({ source: 'tap', options: {} }, 0, 0, []),
    );
    return new CaptureSpool(dir, writer);
  }

  /** Devices heard so far. */
  get deviceCount(): number {
    return this.devices.size;
  }

  /** Lines written so far. */
  get lines(): number {
    return this.lineCount;
  }

  async write(line: CaptureLine): Promise<void> {
    if (!this.devices.has(line.deviceId))
      this.devices.set(line.deviceId, { id: line.deviceId, type: line.type, city: line.city, site: line.site });
    this.firstMs = Math.min(this.firstMs, line.t);
    this.lastMs = Math.max(this.lastMs, line.t);
    this.lineCount++;
    await this.writer.write(line);
  }

  /** Writes the capture to `path` (devices in id order) and removes the scratch file. */
  async finish(path: string, end: SpoolEnd): Promise<CaptureSummary> {
    try {
      const scratch = await this.writer.close();
      const startMs = end.startMs ?? (Number.isFinite(this.firstMs) ? this.firstMs : Date.now());
      const endMs = end.endMs ?? (Number.isFinite(this.lastMs) ? this.lastMs + 1 : startMs);
      const devices = [...this.devices.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const out = await CaptureWriter.open(path, headerOf(end, startMs, endMs, devices));
      for await (const line of readCaptureLines(scratch.path)) await out.write(line);
      return await out.close();
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  /** Gives up: nothing is written, the scratch file goes. */
  async discard(): Promise<void> {
    await this.writer.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function headerOf(
  end: Pick<SpoolEnd, 'source' | 'options'>,
  startMs: number,
  endMs: number,
  devices: CapturedDevice[],
): CaptureHeader {
  return {
    format: CAPTURE_FORMAT,
    version: CAPTURE_VERSION,
    source: end.source,
    seed: 0,
    scenario: end.source,
    options: end.options,
    startMs,
    endMs,
    devices,
    expected: { raises: [], mayRaise: [], rejects: [] },
  };
}
