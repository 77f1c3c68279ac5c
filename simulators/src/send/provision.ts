import type { CapturedDevice } from '../capture/capture-format.js';
import type { CredentialStore } from './credential-store.js';

export interface ProvisionOptions {
  apiUrl: string;
  token: string;
  store: CredentialStore;
  /** Delete and re-create devices that exist without a secret we know (someone else's, or a lost file). */
  reprovision: boolean;
  /** Requests in flight for lookups and single provisioning. @defaultValue 8 */
  concurrency?: number;
}

export interface ProvisionResult {
  secrets: Map<string, string>;
  reused: number;
  created: number;
  replaced: number;
}

/** Devices per `POST /devices/bulk` call. */
const BULK_CHUNK = 5000;

/**
 * Makes sure every device of a run exists in the registry with a secret we hold: reuses devices
 * we provisioned before (same type, city and site), creates missing ones as an operator would —
 * `POST /devices/bulk` in large chunks, or one `POST /devices` each where the service has no bulk
 * endpoint — and replaces others only when asked to (`reprovision`): a device we hold no secret
 * for may be someone else's.
 */
export async function provisionDevices(
  devices: readonly CapturedDevice[],
  options: ProvisionOptions,
): Promise<ProvisionResult> {
  const api = new ProvisioningApi(options.apiUrl, options.token);
  const concurrency = options.concurrency ?? 8;
  const result: ProvisionResult = { secrets: new Map(), reused: 0, created: 0, replaced: 0 };
  const toCreate: CapturedDevice[] = [];
  const toReplace: CapturedDevice[] = [];
  const refused: string[] = [];
  await inParallel(devices, concurrency, async (device) => {
    const known = options.store.get(options.apiUrl, device.id);
    const registered = await api.get(device.id);
    const same =
      registered &&
      registered.type === device.type &&
      registered.city === device.city &&
      registered.site === device.site;
    if (registered && same && known) {
      result.secrets.set(device.id, known.secret);
      result.reused++;
    } else if (!registered) toCreate.push(device);
    else if (known || options.reprovision) toReplace.push(device);
    else refused.push(device.id);
  });
  if (refused.length > 0) {
    throw new Error(
      `${refused.length} device(s) exist without a secret in the credentials file ` +
        `(${refused.slice(0, 3).join(', ')}${refused.length > 3 ? ' …' : ''}): pass --reprovision to replace ` +
        `them, or --prefix for other ids`,
    );
  }
  await inParallel(toReplace, concurrency, (device) => api.remove(device.id));
  const fresh = new Map([...toCreate, ...toReplace].map((d) => [d.id, d]));
  try {
    for (const [id, secret] of await api.createMany([...fresh.values()], concurrency)) {
      const device = fresh.get(id)!;
      options.store.set(options.apiUrl, id, { secret, type: device.type, city: device.city, site: device.site });
      result.secrets.set(id, secret);
    }
  } finally {
    await options.store.save();
  }
  result.created = toCreate.length;
  result.replaced = toReplace.length;
  return result;
}

/** Forgets a device's secret and provisions it afresh (after the broker refused the one we had). */
export async function replaceDevice(
  device: CapturedDevice,
  options: Pick<ProvisionOptions, 'apiUrl' | 'token' | 'store'>,
): Promise<string> {
  const api = new ProvisioningApi(options.apiUrl, options.token);
  if (await api.get(device.id)) await api.remove(device.id);
  const secret = await api.create(device);
  options.store.set(options.apiUrl, device.id, { secret, type: device.type, city: device.city, site: device.site });
  await options.store.save();
  return secret;
}

async function inParallel<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await work(items[i]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

class ProvisioningApi {
  private bulk = true;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private request(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
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
    if (response.status !== 204 && response.status !== 404)
      throw new Error(`DELETE /devices/${id}: ${response.status}`);
  }

  async create(device: CapturedDevice): Promise<string> {
    const response = await this.request('POST', '/devices', {
      id: device.id,
      type: device.type,
      city: device.city,
      site: device.site,
    });
    if (response.status !== 201)
      throw new Error(`POST /devices ${device.id}: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { secret: string }).secret;
  }

  /** Secrets by id, from the bulk endpoint in chunks; device by device where there is none. */
  async createMany(devices: readonly CapturedDevice[], concurrency: number): Promise<Map<string, string>> {
    const secrets = new Map<string, string>();
    for (let i = 0; i < devices.length && this.bulk; i += BULK_CHUNK) {
      const chunk = devices.slice(i, i + BULK_CHUNK);
      const response = await this.request(
        'POST',
        '/devices/bulk',
        chunk.map(({ id, type, city, site }) => ({ id, type, city, site })),
      );
      if (response.status === 404 || response.status === 405) {
        await response.arrayBuffer();
        this.bulk = false;
        break;
      }
      if (response.status !== 201)
        throw new Error(`POST /devices/bulk: ${response.status} ${(await response.text()).slice(0, 500)}`);
      for (const { id, secret } of ((await response.json()) as { devices: Array<{ id: string; secret: string }> })
        .devices)
        secrets.set(id, secret);
    }
    const rest = devices.filter((d) => !secrets.has(d.id));
    await inParallel(rest, concurrency, async (device) => void secrets.set(device.id, await this.create(device)));
    return secrets;
  }
}
