/**
 * The MQTT topic contract between devices and citypulse.
 * Every device-facing topic lives under `devices/{deviceId}/…`, so "a device reaches only
 * its own topics" is a prefix check (see apps/broker authorize-*.ts).
 */
export const TOPIC_ROOT = 'devices';

export type DeviceTopicKind =
  | 'telemetry' // device → cloud: one reading, a batch, or SenML
  | 'errors' // cloud → device: why a publish was rejected
  | 'state' // device → cloud: reported state
  | 'config' // cloud → device: desired configuration
  | 'commands' // cloud → device: commands
  | 'command-acks'; // device → cloud: command results

/** Topics a device may publish to. */
export const DEVICE_PUBLISH_KINDS: ReadonlySet<DeviceTopicKind> = new Set(['telemetry', 'state', 'command-acks']);
/** Topics a device may subscribe to. */
export const DEVICE_SUBSCRIBE_KINDS: ReadonlySet<DeviceTopicKind> = new Set(['errors', 'config', 'commands']);

export function deviceTopic(deviceId: string, kind: DeviceTopicKind): string {
  return `${TOPIC_ROOT}/${deviceId}/${kind}`;
}

export interface ParsedDeviceTopic {
  deviceId: string;
  kind: string;
}

/** Splits `devices/{id}/{kind}`; anything else (more levels, wildcards, other roots) is null. */
export function parseDeviceTopic(topic: string): ParsedDeviceTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 3 || parts[0] !== TOPIC_ROOT) return null;
  const [, deviceId, kind] = parts;
  if (!deviceId || !kind) return null;
  return { deviceId, kind };
}

/**
 * Where operators' tools get alert messages over MQTT: `alerts/{city}/{severity}`, so a tool can
 * subscribe to `alerts/#`, one city (`alerts/beijing/#`) or one severity (`alerts/+/critical`).
 * Outside `devices/`: no device may subscribe here.
 */
export const ALERT_TOPIC_ROOT = 'alerts';

export function alertTopic(city: string, severity: string): string {
  // A city name with MQTT-special characters must not become extra levels or wildcards.
  return `${ALERT_TOPIC_ROOT}/${city.replace(/[/+#]/g, '_')}/${severity}`;
}
