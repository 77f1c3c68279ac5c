import { DeviceClient } from '@citypulse/device-client';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { TestCitypulse } from '../harness.js';

export interface FleetDevice {
  id: string;
  secret: string;
}

/** Bulk-provisions `count` devices of one city and site, ids in rollout (id) order. */
export async function provisionFleet(
  cp: { api: TestCitypulse['api'] },
  count: number,
  options: { type?: string; city?: string } = {},
): Promise<FleetDevice[]> {
  const city = options.city ?? 'beijing';
  const base = uniqueName('job');
  const rows = Array.from({ length: count }, (_, i) => ({
    id: `${base}-${String(i).padStart(3, '0')}`,
    type: options.type ?? 'env-sensor',
    city,
    site: `${base}-site`,
  }));
  const { status, body } = await cp.api('POST', '/devices/bulk', rows);
  if (status !== 201) throw new Error(`bulk provisioning failed: ${status} ${JSON.stringify(body)}`);
  return (body.devices as FleetDevice[]).sort((a, b) => a.id.localeCompare(b.id));
}

/** A device client that runs `reboot` (failing when `fails`) and applies any desired config. */
export function fleetClient(url: string, device: FleetDevice, fails = false): DeviceClient {
  return new DeviceClient({
    url,
    deviceId: device.id,
    secret: device.secret,
    backoff: { initialMs: 100, maxMs: 400, factor: 2 },
  })
    .handleCommand('reboot', () => {
      if (fails) throw new Error('injected failure');
      return { rebooted: true };
    })
    .onConfig((desired) => desired);
}

/** Polls GET /jobs/:id until `done` accepts it. */
export function jobUntil(
  cp: { api: TestCitypulse['api'] },
  id: string,
  done: (job: any) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<any> {
  return waitFor(async () => (await cp.api('GET', `/jobs/${id}`)).body, done, { what, timeoutMs, intervalMs: 50 });
}

export function sumOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
