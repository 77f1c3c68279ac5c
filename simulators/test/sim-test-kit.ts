import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceTypes } from '@citypulse/devices';
import type { Row } from '@citypulse/storage';
import { TestCitypulse } from '../../apps/citypulse/test/harness.js';
import { readCaptureLines } from '../src/capture/capture-reader.js';
import { acceptedReadings } from '../src/backtest/backtest.js';
import { CredentialStore } from '../src/send/credential-store.js';
import { replayCapture, type ReplayOptions } from '../src/send/replay-capture.js';

const MINUTE = 60_000;

/** A simulation start that ends about now: captures made from it can be backfilled at once. */
export function recentStart(durationMs: number): number {
  return Math.floor((Date.now() - durationMs - MINUTE) / MINUTE) * MINUTE;
}

/** A scratch folder for capture and credential files, removed afterwards. */
export async function scratchDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'cp-sim-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Replays a capture into a TestCitypulse as fast as it acknowledges, device timestamps kept. */
export async function replayInto(
  cp: TestCitypulse,
  capturePath: string,
  dir: string,
  options: Partial<ReplayOptions> = {},
) {
  return replayCapture(capturePath, {
    mqttUrl: cp.mqttUrl,
    apiUrl: `http://127.0.0.1:${cp.running.httpPort}`,
    token: cp.config.http.adminToken,
    store: await CredentialStore.open(join(dir, 'credentials.json')),
    reprovision: false,
    speed: Infinity,
    timestamps: 'keep',
    ...options,
  });
}

/** deviceId@epochMs → the values the broker should have stored for the capture, last write winning (as in InfluxDB). */
export async function expectedPoints(capturePath: string): Promise<Map<string, Record<string, unknown>>> {
  const points = new Map<string, Record<string, unknown>>();
  for await (const line of readCaptureLines(capturePath)) {
    for (const [ts, values] of acceptedReadings(deviceTypes[line.type], line.payload, line.t).accepted)
      points.set(`${line.deviceId}@${ts}`, values);
  }
  return points;
}

/** The same, read back from InfluxDB: every family measurement, only the devices whose id starts with `prefix`. */
export async function storedPoints(cp: TestCitypulse, prefix: string): Promise<Map<string, Record<string, unknown>>> {
  const points = new Map<string, Record<string, unknown>>();
  const tags = new Set(['time', 'device_id', 'device_type', 'city', 'site']);
  for (const measurement of ['building', 'energy', 'traffic']) {
    const rows: Row[] = await cp.influx.query(`SELECT * FROM "${measurement}" WHERE device_id =~ /^${prefix}-/`, {
      epoch: 'ms',
    });
    for (const row of rows) {
      const values: Record<string, unknown> = {};
      const type = deviceTypes[row.device_type as string];
      for (const [column, value] of Object.entries(row)) {
        if (tags.has(column) || value === null || !Object.hasOwn(type.fields, column)) continue;
        values[column] = value;
      }
      points.set(`${String(row.device_id)}@${String(row.time)}`, values);
    }
  }
  return points;
}

/** Every alert of the devices whose id starts with `prefix`, as `GET /alerts` lists them. */
export async function alertsOf(cp: TestCitypulse, prefix: string): Promise<any[]> {
  const { status, body } = await cp.api('GET', '/alerts?limit=1000');
  if (status !== 200) throw new Error(`GET /alerts: ${status} ${JSON.stringify(body)}`);
  return body.items.filter((a: any) => a.deviceId.startsWith(`${prefix}-`));
}
