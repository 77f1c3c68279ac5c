import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { CaptureLine } from './capture-format.js';
import { CaptureSpool } from './capture-spool.js';
import type { CaptureSummary } from './capture-writer.js';
import { DeviceDirectory } from './device-directory.js';
import { stampMissingTimestamps } from './receive-time.js';

const TELEMETRY = 'devices/+/telemetry';

/** Who an API token is (GET /console/session): its name is the operator login's. */
export interface TokenIdentity {
  name: string;
  role: string;
  /** null: every city. */
  cities: string[] | null;
}

export async function tokenIdentity(apiUrl: string, token: string): Promise<TokenIdentity> {
  const response = await fetch(`${apiUrl}/console/session`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  }).catch((err: Error) => {
    throw new TapRefused(
      `cannot reach the API at ${apiUrl} (${(err.cause as Error | undefined)?.message ?? err.message}): is ` +
        `citypulse running? (--api)`,
    );
  });
  if (response.status === 401)
    throw new TapRefused(`${apiUrl} does not accept this token (401): pass an operator token with --token-file`);
  if (response.status !== 200)
    throw new Error(`GET ${apiUrl}/console/session: ${response.status} ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as TokenIdentity;
}

/** The service refused what the caller asked for (login, cities): a one-line message, not a crash. */
export class TapRefused extends Error {
  override readonly name = 'TapRefused';
}

export interface TapOptions {
  mqttUrl: string;
  apiUrl: string;
  /** An API token issued with POST /tokens (its name from `tokenIdentity`): also an MQTT login. */
  token: string;
  login: string;
  cities: readonly string[];
  /** Only these device types; all when absent. */
  types?: readonly string[];
  durationMs: number;
  /** Ends the tap early (Ctrl-C, or a test that has heard enough); what was heard is kept. */
  signal?: AbortSignal;
  /** Called once the subscription is in place: from here on, every publish of the cities is heard. */
  onListening?: () => void;
  /** Each line as it is written. */
  onLine?: (line: CaptureLine) => void;
  log?: (line: string) => void;
}

export interface TapResult {
  capture: CaptureSummary;
  /** Devices in the capture. */
  devices: number;
  /** Telemetry messages received, kept or not (another city's, another type's, an unknown device's). */
  heard: number;
  startedAtMs: number;
  endedAtMs: number;
  /** Times the connection dropped and came back: traffic in between is missing from the capture. */
  reconnects: number;
}

/**
 * Records a city's live telemetry into a capture through an operator's read-only MQTT login: every
 * publish of the city's devices as the broker accepted it (garbage included: the broker forwards
 * what it PUBACKs), `t` = when it reached the tap, the device's type, city and site from the API.
 * Readings sent without a timestamp get that time written in (see `stampMissingTimestamps`).
 * Lines are written in arrival order, which keeps each device's own order.
 */
export async function tapLive(path: string, options: TapOptions): Promise<TapResult> {
  const directory = new DeviceDirectory(options.apiUrl, options.token);
  const listed = await directory.load(options.cities);
  options.log?.(`${listed} devices in ${options.cities.join(', ')}`);
  const cities = new Set(options.cities);
  const types = options.types ? new Set(options.types) : undefined;
  const spool = await CaptureSpool.open();
  let heard = 0;
  let reconnects = 0;
  let failure: Error | undefined;
  // A failed write or lookup ends the tap at once rather than at the end of its duration.
  const halted = new AbortController();
  const fail = (err: Error) => {
    failure ??= err;
    halted.abort();
  };
  let writing: Promise<void> = Promise.resolve();
  let client: MqttClient | undefined;
  try {
    const onMessage = (topic: string, payload: Buffer) => {
      const t = Date.now();
      heard++;
      const deviceId = topic.split('/')[1];
      // One chain: a lookup never lets a later message overtake an earlier one.
      writing = writing.then(async () => {
        if (failure) return;
        try {
          const device = await directory.lookup(deviceId);
          if (!device || !cities.has(device.city) || (types && !types.has(device.type))) return;
          const line: CaptureLine = {
            t,
            deviceId,
            type: device.type,
            city: device.city,
            site: device.site,
            topic: 'telemetry',
            payload: stampMissingTimestamps(payload.toString('utf8'), t),
          };
          await spool.write(line);
          options.onLine?.(line);
        } catch (err) {
          fail(err as Error);
        }
      });
    };
    const startedAtMs = Date.now();
    client = await connect(options, onMessage);
    options.onListening?.();
    client.on('connect', () => {
      // A clean session forgets its subscription across a reconnect: take it again.
      reconnects++;
      options.log?.('reconnected: the capture misses what was published while the tap was away');
      client!.subscribeAsync(TELEMETRY, { qos: 1 }).catch(fail);
    });
    await untilDone(
      client,
      options.durationMs,
      AbortSignal.any([halted.signal, ...(options.signal ? [options.signal] : [])]),
      options.log,
    );
    await client.endAsync();
    const endedAtMs = Date.now();
    await writing;
    if (failure) throw failure;
    const capture = await spool.finish(path, {
      source: 'tap',
      options: {
        cities: options.cities,
        ...(options.types ? { types: options.types } : {}),
        login: `operator:${options.login}`,
        durationMs: endedAtMs - startedAtMs,
      },
      startMs: startedAtMs,
      endMs: endedAtMs,
    });
    return { capture, devices: spool.deviceCount, heard, startedAtMs, endedAtMs, reconnects };
  } catch (err) {
    client?.end(true);
    await writing;
    await spool.discard();
    throw err;
  }
}

async function connect(options: TapOptions, onMessage: (topic: string, payload: Buffer) => void): Promise<MqttClient> {
  const username = `operator:${options.login}`;
  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(options.mqttUrl, {
      clientId: `${username}:tap-${randomBytes(4).toString('hex')}`,
      username,
      password: options.token,
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 1000,
      connectTimeout: 15_000,
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 4 || code === 5)
      throw new TapRefused(
        `the broker refused the MQTT login ${username}: only tokens issued with POST /tokens are MQTT logins ` +
          `(not CP_API_TOKEN)`,
      );
    throw err;
  }
  // Listening before subscribing: a publish may follow the SUBACK in the same read.
  client.on('message', onMessage);
  const [granted] = await client.subscribeAsync(TELEMETRY, { qos: 1 });
  if (!granted || granted.qos === 128) {
    client.end(true);
    throw new TapRefused(`the broker refused ${username} the subscription ${TELEMETRY}`);
  }
  return client;
}

/** Resolves when the duration is up, the signal aborts, or the broker refuses the login again (a revoked token). */
function untilDone(
  client: MqttClient,
  durationMs: number,
  signal: AbortSignal,
  log?: (line: string) => void,
): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      client.off('error', refused);
      resolve();
    };
    const refused = (err: Error) => {
      const code = (err as { code?: unknown }).code;
      if (code !== 4 && code !== 5) return;
      log?.(`the broker refused the login on reconnecting (${err.message}): the tap ends here`);
      finish();
    };
    const timer = setTimeout(finish, durationMs);
    signal.addEventListener('abort', finish);
    client.on('error', refused);
    if (signal.aborted) finish();
  });
}
