import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig, type AppConfig } from '@citypulse/config';
import { CredentialStore, DEFAULT_CREDENTIALS_FILE } from '../send/credential-store.js';
import type { Target } from '../send/replay-capture.js';
import { UsageError } from './args.js';

/** Where `npm start` writes the admin token it generates. */
const STACK_TOKEN_FILE = '.stack/api-token';

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
    return (await readFile(STACK_TOKEN_FILE, 'utf8')).trim();
  } catch {
    throw new UsageError(`no API token: set CP_API_TOKEN, pass --token-file, or run \`npm start\` once (it writes ${STACK_TOKEN_FILE})`);
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
export async function resolveTarget(values: { mqtt?: string; api?: string; 'token-file'?: string; credentials?: string; reprovision?: boolean }, log: (line: string) => void): Promise<Target> {
  const config = serviceConfig();
  return {
    mqttUrl: values.mqtt ?? defaultMqttUrl(config),
    apiUrl: (values.api ?? defaultApiUrl(config)).replace(/\/+$/, ''),
    token: await apiToken(values['token-file'], config),
    store: await CredentialStore.open(values.credentials ?? DEFAULT_CREDENTIALS_FILE),
    reprovision: values.reprovision ?? false,
    log,
  };
}
