import type { EnvSchema } from './env.schema.js';
import { parseDeviceCas, type DeviceCaFile } from './mqtt-transport.js';

/** What the API signs devices' CSRs with. */
export interface DeviceCertificatesConfig {
  /** The cities' device CA certificates (CP_MQTT_TLS_CA). */
  caCerts: DeviceCaFile[];
  /** Their private keys (CP_DEVICE_CA_KEY), for the same cities; empty: the API does not sign. */
  caKeys: DeviceCaFile[];
  validityDays: number;
}

const label = (f: DeviceCaFile) => f.city ?? 'every city';

/**
 * CP_DEVICE_CA_KEY must pair with CP_MQTT_TLS_CA city for city (the files themselves are checked when the API loads
 * them).
 */
export function deviceCertificateProblems(e: EnvSchema): string[] {
  if (!e.CP_DEVICE_CA_KEY) return [];
  if (!e.CP_MQTT_TLS_CA) return ['CP_DEVICE_CA_KEY set: CP_MQTT_TLS_CA must name the CA certificates of these keys'];
  const keys = parseDeviceCas(e.CP_DEVICE_CA_KEY).map(label);
  const cas = parseDeviceCas(e.CP_MQTT_TLS_CA).map(label);
  const repeated = keys.filter((city, i) => keys.indexOf(city) !== i);
  if (repeated.length > 0) return [`CP_DEVICE_CA_KEY names ${[...new Set(repeated)].join(', ')} more than once`];
  if ([...keys].sort().join() !== [...cas].sort().join())
    return [`CP_DEVICE_CA_KEY must name the cities of CP_MQTT_TLS_CA (${cas.join(', ')}); it names ${keys.join(', ')}`];
  return [];
}

export function toDeviceCertificatesConfig(e: EnvSchema): DeviceCertificatesConfig {
  return {
    caCerts: parseDeviceCas(e.CP_MQTT_TLS_CA),
    caKeys: parseDeviceCas(e.CP_DEVICE_CA_KEY),
    validityDays: e.CP_DEVICE_CERT_DAYS,
  };
}
