/** Which write API to speak: 1.x's native /write, or /api/v2/write. */
export type InfluxApi = 'v1' | 'v2';

/**
 * Maps a /ping answer to a write API. InfluxDB sends `X-Influxdb-Version`: "1.6.7~rc0" (1.x),
 * "v2.7.4" (2.x), "3.x" (3.x). VictoriaMetrics 1.79 answers /ping 204 without it (though it does
 * send "1.8.0" on write responses) and accepts /api/v2/write, so no header means v2.
 * 1.8 also has /api/v2/write, but its native /write needs no org/bucket mapping: 1.x → v1.
 */
export function apiFromVersion(version: string | null | undefined): InfluxApi {
  const major = /^\s*v?(\d+)\./.exec(version ?? '');
  return major && Number(major[1]) === 1 ? 'v1' : 'v2';
}

export interface DetectOptions {
  /** Sent as `Authorization: Token …`: InfluxDB 3.x can require it even on /ping. */
  token?: string;
  /** @defaultValue 5000 */
  timeoutMs?: number;
}

/** Asks the server's /ping which write API to use. Rejects when the server cannot be reached. */
export async function detectInfluxApi(url: string, options: DetectOptions = {}): Promise<InfluxApi> {
  const headers: Record<string, string> = options.token ? { authorization: `Token ${options.token}` } : {};
  const response = await fetch(`${url.replace(/\/+$/, '')}/ping`, {
    headers,
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
  });
  await response.arrayBuffer();
  const version = response.headers.get('x-influxdb-version');
  // Only 2.x/3.x guard /ping with auth, so a refusal without a version header still says v2.
  if (!response.ok && !version && response.status !== 401 && response.status !== 403) {
    throw new Error(`GET ${url}/ping answered ${response.status}: not an InfluxDB-compatible server`);
  }
  return apiFromVersion(version);
}
