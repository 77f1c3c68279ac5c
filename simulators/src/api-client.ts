/** A device as the fleet asks for it. */
type DeviceSpec = { id: string; type: string; city: string; site: string };

/** The few calls the simulators make to the citypulse HTTP API. */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  /**
   * A fresh secret for the device: provisioned if it is new; if it exists as asked (type, city,
   * site), its secret rotated — the device, its history and its rule state kept; otherwise replaced.
   * The fleet starts this way: deleting a device makes the alerts workers drop the readings of
   * that id for ten minutes (apps/alerts/src/deleted-devices.ts), so a fleet that re-created its
   * devices on every start raised no alerts for them in its first ten minutes, the demo's included.
   */
  async provisionOrRotate(device: DeviceSpec): Promise<string> {
    const created = await this.request('POST', '/devices', device);
    if (created.status === 201) return ((await created.json()) as { secret: string }).secret;
    if (created.status !== 409) throw new Error(`POST /devices: ${created.status} ${await created.text()}`);
    const existing = await this.request('GET', `/devices/${encodeURIComponent(device.id)}`);
    const found = existing.status === 200 ? ((await existing.json()) as Partial<DeviceSpec>) : undefined;
    if (found?.type !== device.type || found.city !== device.city || found.site !== device.site)
      return this.reprovision(device);
    const rotated = await this.request('POST', `/devices/${encodeURIComponent(device.id)}/rotate`);
    if (rotated.status !== 200)
      throw new Error(`POST /devices/${device.id}/rotate: ${rotated.status} ${await rotated.text()}`);
    return ((await rotated.json()) as { secret: string }).secret;
  }

  /** Provisions the device afresh (deleting an earlier one of the same id) and returns its secret. */
  async reprovision(device: DeviceSpec): Promise<string> {
    const removed = await this.request('DELETE', `/devices/${encodeURIComponent(device.id)}`);
    if (removed.status !== 204 && removed.status !== 404)
      throw new Error(`DELETE /devices/${device.id}: ${removed.status} ${await removed.text()}`);
    const created = await this.request('POST', '/devices', device);
    if (created.status !== 201) throw new Error(`POST /devices: ${created.status} ${await created.text()}`);
    return ((await created.json()) as { secret: string }).secret;
  }

  /** The agreements offered to the whole cluster ("*"). */
  async clusterShares(): Promise<
    Array<{ id: string; fromCity: string; status: string; fields: string[]; expiresAt: string }>
  > {
    const response = await this.request('GET', '/shares?limit=1000');
    if (response.status !== 200) throw new Error(`GET /shares: ${response.status} ${await response.text()}`);
    const { items } = (await response.json()) as {
      items: Array<{
        id: string;
        fromCity: string;
        toCity: string;
        status: string;
        fields: string[];
        expiresAt: string;
      }>;
    };
    return items.filter((s) => s.toCity === '*');
  }

  /** Offers a share (POST /shares) and returns its id. */
  async offerShare(offer: Record<string, unknown>): Promise<string> {
    const response = await this.request('POST', '/shares', offer);
    if (response.status !== 201) throw new Error(`POST /shares: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  }

  async acceptShare(id: string, city: string): Promise<void> {
    const response = await this.request('POST', `/shares/${id}/accept`, { city });
    if (response.status !== 200)
      throw new Error(`POST /shares/${id}/accept: ${response.status} ${await response.text()}`);
  }
}
