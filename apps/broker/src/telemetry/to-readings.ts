import type { FieldValue, Reading } from '@citypulse/contracts';
import type { DeviceRecord } from '@citypulse/registry';
import { type ReceiveClock, deviceTimeNs } from './receive-clock.js';

export interface AcceptedValues {
  tsMs: number | undefined;
  values: Record<string, FieldValue>;
}

/**
 * Enriches accepted readings with the device's registry metadata and fixes their identity:
 * the device's own timestamp when it sent one (validated as plausible upstream), else the
 * broker's receive time. Set once, here, before hand-off; nothing downstream changes it.
 */
export function toReadings(device: DeviceRecord, measurement: string, accepted: AcceptedValues[], clock: ReceiveClock): Reading[] {
  return accepted.map(({ tsMs, values }) => ({
    deviceId: device.id,
    deviceType: device.type,
    city: device.city,
    site: device.site,
    measurement,
    timeNs: tsMs === undefined ? clock.nextNs() : deviceTimeNs(tsMs),
    values,
  }));
}
