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

  /** Provisions the device afresh (deleting an earlier one of the same id) and returns its secret. */
  async reprovision(device: { id: string; type: string; city: string; site: string }): Promise<string> {
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
