import type { CapturedDevice } from '../capture/capture-format.js';
import type { CredentialStore } from './credential-store.js';

export interface ProvisionOptions {
  apiUrl: string;
  token: string;
  store: CredentialStore;
  /** Delete and re-create devices that exist without a secret we know (someone else's, or a lost file). */
  reprovision: boolean;
  /** Requests in flight (each POST costs the API a scrypt hash). @defaultValue 8 */
  concurrency?: number;
  onProgress?: (done: number) => void;
}

export interface ProvisionResult {
  secrets: Map<string, string>;
  reused: number;
  created: number;
  replaced: number;
}

/**
 * Makes sure every device of a run exists in the registry with a secret we hold: reuses devices
 * we provisioned before (same type, city and site), creates missing ones through `POST /devices`
 * as an operator would, and replaces others only when asked to (`reprovision`) — a device we have
 * no secret for may be someone else's.
 */
export async function provisionDevices(devices: readonly CapturedDevice[], options: ProvisionOptions): Promise<ProvisionResult> {
  const api = new ProvisioningApi(options.apiUrl, options.token);
  const result: ProvisionResult = { secrets: new Map(), reused: 0, created: 0, replaced: 0 };
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let i = next++; i < devices.length; i = next++) {
      const device = devices[i];
      const known = options.store.get(options.apiUrl, device.id);
      const registered = await api.get(device.id);
      const same = registered && registered.type === device.type && registered.city === device.city && registered.site === device.site;
      if (registered && same && known) {
        result.secrets.set(device.id, known.secret);
        result.reused++;
      } else {
        if (registered) {
          if (!options.reprovision && !known) throw new Error(`device ${device.id} exists and no secret for it is in the credentials file: pass --reprovision to replace it`);
          await api.remove(device.id);
          result.replaced++;
        } else result.created++;
        const secret = await api.create(device);
        options.store.set(options.apiUrl, device.id, { secret, type: device.type, city: device.city, site: device.site });
        result.secrets.set(device.id, secret);
      }
      options.onProgress?.(++done);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, devices.length) }, worker));
  } finally {
    await options.store.save();
  }
  return result;
}

/** Forgets a device's secret and provisions it afresh (after the broker refused the one we had). */
export async function replaceDevice(device: CapturedDevice, options: Pick<ProvisionOptions, 'apiUrl' | 'token' | 'store'>): Promise<string> {
  const api = new ProvisioningApi(options.apiUrl, options.token);
  if (await api.get(device.id)) await api.remove(device.id);
  const secret = await api.create(device);
  options.store.set(options.apiUrl, device.id, { secret, type: device.type, city: device.city, site: device.site });
  await options.store.save();
  return secret;
}

class ProvisioningApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private request(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  }

  async get(id: string): Promise<CapturedDevice | undefined> {
    const response = await this.request('GET', `/devices/${encodeURIComponent(id)}`);
    if (response.status === 404) {
      await response.arrayBuffer();
      return undefined;
    }
    if (response.status !== 200) throw new Error(`GET /devices/${id}: ${response.status} ${await response.text()}`);
    return (await response.json()) as CapturedDevice;
  }

  async remove(id: string): Promise<void> {
    const response = await this.request('DELETE', `/devices/${encodeURIComponent(id)}`);
    await response.arrayBuffer();
    if (response.status !== 204 && response.status !== 404) throw new Error(`DELETE /devices/${id}: ${response.status}`);
  }

  async create(device: CapturedDevice): Promise<string> {
    const response = await this.request('POST', '/devices', { id: device.id, type: device.type, city: device.city, site: device.site });
    if (response.status !== 201) throw new Error(`POST /devices ${device.id}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { secret: string }).secret;
  }
}
