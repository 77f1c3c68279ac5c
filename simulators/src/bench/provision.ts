export interface BenchDevice {
  id: string;
  secret: string;
  city: string;
}

export interface ProvisionOptions {
  /** The service's HTTP API, e.g. http://127.0.0.1:41234. */
  apiUrl: string;
  token: string;
  count: number;
  type: string;
  cities: readonly string[];
  /** Requests in flight at once. @defaultValue 16 */
  concurrency?: number;
}

/**
 * Provisions the bench fleet through the public API (POST /devices), as an operator would, so the
 * broker authenticates the devices exactly as in production. The Redis prefix is fresh per run,
 * so there is nothing to delete first. Devices are spread round-robin over the cities.
 */
export async function provisionDevices(options: ProvisionOptions): Promise<BenchDevice[]> {
  const width = String(options.count).length;
  const devices: BenchDevice[] = new Array(options.count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < options.count; i = next++) {
      const city = options.cities[i % options.cities.length];
      const id = `bench-${options.type}-${String(i + 1).padStart(width, '0')}`;
      const response = await fetch(`${options.apiUrl}/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id, type: options.type, city, site: `${city}-bench-01` }),
        signal: AbortSignal.timeout(30_000),
      });
      if (response.status !== 201) throw new Error(`POST /devices ${id}: ${response.status} ${await response.text()}`);
      devices[i] = { id, secret: ((await response.json()) as { secret: string }).secret, city };
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
  return devices;
}
