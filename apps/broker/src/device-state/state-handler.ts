import { decodeState } from '@citypulse/devices';
import type { DeviceRegistry } from '@citypulse/registry';
import type { ShadowStore } from '@citypulse/shadow';
import type { DeviceSession } from '../sessions.js';
import type { DeviceMessageRejections } from './device-message-rejections.js';

export interface StateHandlerDeps {
  shadows: ShadowStore;
  registry: DeviceRegistry;
  rejections: DeviceMessageRejections;
  maxPayloadBytes: number;
}

/**
 * A publish on `devices/{id}/state`: decode and check against the type's config schema, then
 * merge into the reported side of the shadow. Resolves once stored, so the PUBACK means "kept".
 * A firmware report goes to the registry (the running version, indexed, and the update's step).
 * A will-only message (`{"online": false}`) stores nothing: presence is the presence tracker's.
 */
export async function handleState(deps: StateHandlerDeps, session: DeviceSession, payload: Buffer): Promise<void> {
  const decoded = decodeState(payload, session.type, deps.maxPayloadBytes);
  if (!decoded.ok) return deps.rejections.report(session.device.id, 'state', payload, decoded.rejected);
  const stored: Array<Promise<unknown>> = [];
  if (decoded.firmware) stored.push(deps.registry.reportFirmware(session.device.id, decoded.firmware));
  if (Object.keys(decoded.reported).length > 0) stored.push(deps.shadows.report(session.device.id, decoded.reported));
  await Promise.all(stored);
}
