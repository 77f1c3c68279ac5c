import type { Client } from 'aedes';
import type { DeviceRecord } from '@citypulse/registry';
import type { DeviceTypeDefinition } from '@citypulse/devices';
import { RuleFeedHead, deviceTopic, ruleFeedDeviceText, type ParsedDeviceTopic } from '@citypulse/contracts';
import { seriesKey } from '@citypulse/storage';

/** What the broker knows about an authenticated connection, resolved once at CONNECT. */
export interface DeviceSession {
  device: DeviceRecord;
  type: DeviceTypeDefinition;
  /** Measurement and tags (the registry's city, site, type) of its points, escaped once per session. */
  seriesKey: string;
  /** The device part (id, type, city, site) and field names of its rule feed in the hand-off, encoded once. */
  ruleFeed: RuleFeedHead;
  /** Its own telemetry topic, the topic of nearly every publish, already parsed. */
  telemetryTopic: ParsedDeviceTopic & { name: string };
}

export function createSession(device: DeviceRecord, type: DeviceTypeDefinition): DeviceSession {
  const tags = { deviceId: device.id, deviceType: device.type, city: device.city, site: device.site };
  return {
    device,
    type,
    seriesKey: seriesKey({ measurement: type.measurement, ...tags }),
    ruleFeed: new RuleFeedHead(ruleFeedDeviceText(tags)),
    telemetryTopic: { name: deviceTopic(device.id, 'telemetry'), deviceId: device.id, kind: 'telemetry' },
  };
}

/** Authenticated sessions by aedes client; a WeakMap so a closed client takes its session with it. */
export class Sessions {
  private readonly byClient = new WeakMap<Client, DeviceSession>();

  set(client: Client, session: DeviceSession): void {
    this.byClient.set(client, session);
  }

  get(client: Client | null): DeviceSession | undefined {
    return client ? this.byClient.get(client) : undefined;
  }
}
