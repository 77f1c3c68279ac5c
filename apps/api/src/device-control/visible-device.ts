import { ConflictException, NotFoundException } from '@nestjs/common';
import { getDeviceType, type DeviceTypeDefinition } from '@citypulse/devices';
import type { DeviceRecord, DeviceRegistry } from '@citypulse/registry';
import type { Tenancy } from '../auth/tenancy.js';

/**
 * The device with its catalogue type, if the caller's cities include it; a device of another city
 * is "not found", as everywhere in the API, so a city-scoped token learns nothing of other tenants.
 */
export async function visibleDevice(
  registry: DeviceRegistry,
  id: string,
  tenancy: Tenancy,
): Promise<{ device: DeviceRecord; type: DeviceTypeDefinition }> {
  const device = await registry.get(id);
  if (!device || !tenancy.allows(device.city)) throw new NotFoundException(`device ${id} not found`);
  const type = getDeviceType(device.type);
  // The broker refuses such a device at CONNECT, so nothing could be delivered to it anyway.
  if (!type) throw new ConflictException(`device ${id} has type ${device.type}, which is no longer in the catalogue`);
  return { device, type };
}
