/** What the benches provision: electricity meters, spread over three cities. */
export const BENCH_DEVICE_TYPE = 'electricity-meter';
export const BENCH_CITIES = ['beijing', 'tianjin', 'shijiazhuang'] as const;

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
  const devices = new Array<BenchDevice>(options.count);
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

export interface BulkRow {
  id: string;
  type: string;
  city: string;
  site: string;
}

export interface BulkResult {
  created: number;
  /** The scrypt cost the service hashed these secrets with (CP_BULK_SECRET_SCRYPT_N). */
  scrypt?: { N: number; r: number; p: number };
  devices: Array<{ id: string; secret: string }>;
  /** The call's wall time, request to parsed answer. */
  ms: number;
  /** Bytes of the request body. */
  bodyBytes: number;
}

/** Bench devices `bench-0001` …, spread round-robin over the cities and ten sites each. */
export function bulkRows(count: number, type: string, cities: readonly string[], firstNumber = 1): BulkRow[] {
  const width = String(firstNumber + count - 1).length;
  return Array.from({ length: count }, (_, i) => {
    const city = cities[i % cities.length];
    return {
      id: `bench-${String(firstNumber + i).padStart(width, '0')}`,
      type,
      city,
      site: `${city}-bench-${(i % 10) + 1}`,
    };
  });
}

/** One POST /devices/bulk (JSON or CSV body), as an operator provisions a fleet; throws on anything but 201. */
export async function bulkProvision(
  apiUrl: string,
  token: string,
  rows: readonly BulkRow[],
  format: 'json' | 'csv' = 'json',
): Promise<BulkResult> {
  const body =
    format === 'csv'
      ? ['id,type,city,site', ...rows.map((d) => `${d.id},${d.type},${d.city},${d.site}`)].join('\n') + '\n'
      : JSON.stringify(rows);
  const startedAt = performance.now();
  const response = await fetch(`${apiUrl}/devices/bulk`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': format === 'csv' ? 'text/csv' : 'application/json' },
    body,
    signal: AbortSignal.timeout(30 * 60_000),
  });
  const created = (await response.json()) as {
    created?: number;
    scrypt?: BulkResult['scrypt'];
    devices?: BulkResult['devices'];
    message?: string;
  };
  const ms = performance.now() - startedAt;
  if (response.status !== 201 || !created.devices)
    throw new Error(`POST /devices/bulk: ${response.status} ${JSON.stringify(created).slice(0, 500)}`);
  return {
    created: created.created ?? created.devices.length,
    scrypt: created.scrypt,
    devices: created.devices,
    ms,
    bodyBytes: body.length,
  };
}
