import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { ConfigError, loadConfig, type AppConfig } from '@citypulse/config';
import { CredentialStore, DEFAULT_CREDENTIALS_FILE } from '../send/credential-store.js';
import type { Target } from '../send/replay-capture.js';
import { UsageError } from './args.js';
import { CliError, describeError } from './cli-errors.js';
import { repoPath } from './repo-path.js';

/** Where `npm start` writes the admin token it generates (in the checkout, wherever the CLI runs). */
const STACK_TOKEN_FILE = '.stack/api-token';
/** How long a broker or API gets to accept a TCP connection before the command gives up. */
const REACH_TIMEOUT_MS = 5000;

/** The service configuration from the environment, when it is complete enough to load (it needs CP_API_TOKEN). */
export function serviceConfig(): AppConfig | undefined {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) return undefined;
    throw err;
  }
}

/** The admin token: --token-file, else CP_API_TOKEN, else the one `npm start` wrote to .stack/api-token. */
export async function apiToken(tokenFile: string | undefined, config: AppConfig | undefined): Promise<string> {
  if (tokenFile) return (await readFile(tokenFile, 'utf8')).trim();
  if (config) return config.http.adminToken;
  try {
    return (await readFile(repoPath(STACK_TOKEN_FILE), 'utf8')).trim();
  } catch {
    throw new UsageError(
      `no API token: set CP_API_TOKEN, pass --token-file, or run \`npm start\` once (it writes ${STACK_TOKEN_FILE})`,
    );
  }
}

function host(address: string): string {
  return address === '0.0.0.0' || address === '::' ? '127.0.0.1' : address;
}

export function defaultMqttUrl(config: AppConfig | undefined): string {
  return `mqtt://${host(config?.mqtt.host ?? '127.0.0.1')}:${config?.mqtt.port ?? 11883}`;
}

export function defaultApiUrl(config: AppConfig | undefined): string {
  return `http://${host(config?.http.host ?? '127.0.0.1')}:${config?.http.port ?? 13000}`;
}

/** Broker, API, token and the local credentials file, from the options (or the environment's defaults). */
export async function resolveTarget(
  values: { mqtt?: string; api?: string; 'token-file'?: string; credentials?: string; reprovision?: boolean },
  log: (line: string) => void,
): Promise<Target> {
  const config = serviceConfig();
  return {
    mqttUrl: values.mqtt ?? defaultMqttUrl(config),
    apiUrl: (values.api ?? defaultApiUrl(config)).replace(/\/+$/, ''),
    token: await apiToken(values['token-file'], config),
    store: await CredentialStore.open(values.credentials ?? repoPath(DEFAULT_CREDENTIALS_FILE)),
    reprovision: values.reprovision ?? false,
    log,
  };
}

/**
 * Before a send: both servers must accept a connection, so an unreachable one is one line
 * rather than an error per device after provisioning.
 */
export async function assertTargetReachable(target: Pick<Target, 'apiUrl' | 'mqttUrl'>): Promise<void> {
  await Promise.all([
    assertReachable('the API', target.apiUrl, '--api'),
    assertReachable('the broker', target.mqttUrl, '--mqtt'),
  ]);
}

const DEFAULT_PORTS: Record<string, number> = {
  'mqtt:': 1883,
  'mqtts:': 8883,
  'ws:': 80,
  'wss:': 443,
  'http:': 80,
  'https:': 443,
};

/** Opens (and closes) a TCP connection to the server of `url`, or says in one line why it cannot. */
export async function assertReachable(what: string, url: string, option: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${option} ${url}: not a URL`);
  }
  const port = Number(parsed.port) || DEFAULT_PORTS[parsed.protocol];
  if (!port) throw new UsageError(`${option} ${url}: unknown scheme ${parsed.protocol}`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port, timeout: REACH_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    });
    socket.once('error', reject);
  }).catch((err: unknown) => {
    const code = String((err as { code?: string | number }).code ?? describeError(err).message);
    throw new CliError(
      `cannot reach ${what} at ${url} (${code}): is citypulse running (npm start)? Otherwise pass ${option}`,
    );
  });
}
