import { DeviceClient, type DeviceClientOptions } from '@citypulse/device-client';
import { uniqueName } from '@citypulse/testing';
import type { TestCitypulse } from '../harness.js';

export interface TestDevice {
  id: string;
  secret: string;
}

/** Provisions a device of `type` in `city` with a unique id. */
export async function provisionDevice(cp: TestCitypulse, type = 'env-sensor', city = 'beijing'): Promise<TestDevice> {
  const id = uniqueName('dev-');
  const secret = await cp.provision({ id, type, city, site: `${city}-site-1` });
  return { id, secret };
}

/** A device-side client for `device`, with short reconnect delays so tests do not wait on backoff. */
export function deviceClient(
  url: string,
  device: TestDevice,
  options: Partial<DeviceClientOptions> = {},
): DeviceClient {
  return new DeviceClient({
    url,
    deviceId: device.id,
    secret: device.secret,
    backoff: { initialMs: 100, maxMs: 400, factor: 2 },
    ...options,
  });
}

/** Collects what a client emits, for assertions. */
export function record<T>(client: DeviceClient, event: 'config' | 'command' | 'rejection'): T[] {
  const seen: T[] = [];
  client.on(event, (value: unknown) => seen.push(value as T));
  return seen;
}
