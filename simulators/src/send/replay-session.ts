/**
 * The replay session of a replay's devices (POST /simulation/replay-sessions): while it runs,
 * the service judges their silence on the replayed clock — a compressed or backfilled replay
 * raises a deadman alert only where the capture has a gap, as a backtest does — and its end
 * (the replayed traffic's last moment) lets a device silent at the end raise, once.
 */
export interface ReplaySessionApi {
  apiUrl: string;
  token: string;
  log?: (line: string) => void;
}

export async function openReplaySession(prefix: string, api: ReplaySessionApi): Promise<boolean> {
  return call(api, 'POST', '/simulation/replay-sessions', { prefix });
}

export async function endReplaySession(prefix: string, endMs: number, api: ReplaySessionApi): Promise<boolean> {
  return call(api, 'POST', `/simulation/replay-sessions/${encodeURIComponent(prefix)}/end`, {
    endMs: Math.round(endMs),
  });
}

/** False when the service has no replay sessions (an older one: deadman then runs on the wall clock). */
async function call(api: ReplaySessionApi, method: string, path: string, body: unknown): Promise<boolean> {
  const response = await fetch(`${api.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status === 404 && path === '/simulation/replay-sessions') {
    api.log?.(
      'the service has no replay sessions: its deadman rules will judge the replayed devices on the wall clock',
    );
    return false;
  }
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return true;
}
