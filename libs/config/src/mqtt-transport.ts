import type { EnvSchema } from './env.schema.js';

/** Unset by default, numbers when set: the optional listener ports. */
export const OPTIONAL_PORT_VARIABLES = new Set<keyof EnvSchema>([
  'CP_MQTT_TLS_PORT',
  'CP_MQTT_WS_PORT',
  'CP_MQTT_WSS_PORT',
]);

/** One CA file whose certificates log devices in: of one city, or (city null) of every city. */
export interface DeviceCaFile {
  city: string | null;
  file: string;
}

/** The broker's listeners beyond plain TCP, and the files TLS needs. */
export interface MqttTransportConfig {
  /** false: no plain TCP listener (CP_MQTT_PLAIN=false). */
  plain: boolean;
  tlsPort: number | null;
  wsPort: number | null;
  wssPort: number | null;
  /** Present when a TLS or WSS listener is configured. */
  tls: { certFile: string; keyFile: string; deviceCas: DeviceCaFile[] } | null;
}

/** Combinations the per-variable rules cannot see, each named by its variables. */
export function transportProblems(e: EnvSchema): string[] {
  const problems: string[] = [];
  const secure = [
    e.CP_MQTT_TLS_PORT !== undefined && 'CP_MQTT_TLS_PORT',
    e.CP_MQTT_WSS_PORT !== undefined && 'CP_MQTT_WSS_PORT',
  ].filter(Boolean);
  if (secure.length > 0 && (!e.CP_MQTT_TLS_CERT || !e.CP_MQTT_TLS_KEY)) {
    problems.push(`${secure.join(' and ')} set: CP_MQTT_TLS_CERT and CP_MQTT_TLS_KEY (PEM file paths) are required`);
  }
  if (e.CP_MQTT_TLS_CA && secure.length === 0) {
    problems.push(
      'CP_MQTT_TLS_CA set: client certificates are read only on the TLS and WSS listeners, so ' +
        'CP_MQTT_TLS_PORT or CP_MQTT_WSS_PORT is required',
    );
  }
  if (
    e.CP_MQTT_PLAIN === 'false' &&
    e.CP_MQTT_TLS_PORT === undefined &&
    e.CP_MQTT_WS_PORT === undefined &&
    e.CP_MQTT_WSS_PORT === undefined
  ) {
    problems.push(
      'CP_MQTT_PLAIN=false: the broker needs another listener (CP_MQTT_TLS_PORT, CP_MQTT_WS_PORT or CP_MQTT_WSS_PORT)',
    );
  }
  const cities = parseDeviceCas(e.CP_MQTT_TLS_CA).map((ca) => ca.city);
  const repeated = cities.filter((city, i) => city !== null && cities.indexOf(city) !== i);
  if (repeated.length > 0) problems.push(`CP_MQTT_TLS_CA names ${[...new Set(repeated)].join(', ')} more than once`);
  return problems;
}

export function toTransportConfig(e: EnvSchema): MqttTransportConfig {
  const secure = e.CP_MQTT_TLS_PORT !== undefined || e.CP_MQTT_WSS_PORT !== undefined;
  return {
    plain: e.CP_MQTT_PLAIN !== 'false',
    tlsPort: e.CP_MQTT_TLS_PORT ?? null,
    wsPort: e.CP_MQTT_WS_PORT ?? null,
    wssPort: e.CP_MQTT_WSS_PORT ?? null,
    tls: secure
      ? { certFile: e.CP_MQTT_TLS_CERT, keyFile: e.CP_MQTT_TLS_KEY, deviceCas: parseDeviceCas(e.CP_MQTT_TLS_CA) }
      : null,
  };
}

/**
 * `/p/ca.pem` → one CA for every city; `beijing:/p/bj.pem,tianjin:/p/tj.pem` → one per city (format already validated).
 */
export function parseDeviceCas(text: string): DeviceCaFile[] {
  if (!text) return [];
  if (!text.includes(':')) return [{ city: null, file: text }];
  return text.split(',').map((pair) => {
    const at = pair.indexOf(':');
    return { city: pair.slice(0, at), file: pair.slice(at + 1) };
  });
}
