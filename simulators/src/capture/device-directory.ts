import type { CapturedDevice } from './capture-format.js';

/** Devices per `GET /devices` page (the API's largest). */
const PAGE = 1000;

/**
 * Type, city and site of the devices a tap hears (the telemetry topic names only the id), read
 * from the API with the tap's own token, so it sees exactly the devices its login may watch.
 * The cities' devices are listed once at the start; a device provisioned later is looked up
 * when it first publishes. A device the token cannot see (deleted meanwhile) is `undefined`.
 */
export class DeviceDirectory {
  private readonly known = new Map<string, Promise<CapturedDevice | undefined>>();

  constructor(
    private readonly apiUrl: string,
    private readonly token: string,
  ) {}

  /** Lists every device of `cities` (a page of 1000 at a time). */
  async load(cities: readonly string[]): Promise<number> {
    let count = 0;
    for (const city of cities) {
      for (let offset = 0; ; offset += PAGE) {
        const page = (await this.get(`/devices?city=${encodeURIComponent(city)}&limit=${PAGE}&offset=${offset}`)) as {
          items: CapturedDevice[];
          total: number;
        };
        for (const device of page.items) this.known.set(device.id, Promise.resolve(pick(device)));
        count += page.items.length;
        if (page.items.length < PAGE) break;
      }
    }
    return count;
  }

  lookup(id: string): Promise<CapturedDevice | undefined> {
    let found = this.known.get(id);
    if (!found) {
      found = this.get(`/devices/${encodeURIComponent(id)}`).then((d) => (d ? pick(d as CapturedDevice) : undefined));
      this.known.set(id, found);
    }
    return found;
  }

  private async get(path: string): Promise<unknown> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${this.token}` },
      signal: AbortSignal.timeout(30_000),
    });
    if (response.status === 404) {
      await response.arrayBuffer();
      return undefined;
    }
    if (response.status !== 200)
      throw new Error(`GET ${path}: ${response.status} ${(await response.text()).slice(0, 300)}`);
    return response.json();
  }
}

function pick(device: CapturedDevice): CapturedDevice {
  return { id: device.id, type: device.type, city: device.city, site: device.site };
}
