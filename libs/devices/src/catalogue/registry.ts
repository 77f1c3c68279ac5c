import { buildingTypes } from './building.js';
import type { DeviceTypeDefinition } from './device-type.js';
import { energyTypes } from './energy.js';
import { trafficTypes } from './traffic.js';

function byName(types: DeviceTypeDefinition[]): Readonly<Record<string, DeviceTypeDefinition>> {
  const map: Record<string, DeviceTypeDefinition> = {};
  for (const type of types) {
    if (Object.hasOwn(map, type.name)) throw new Error(`device type ${type.name} is defined twice`);
    map[type.name] = type;
  }
  return Object.freeze(map);
}

/** Every device type citypulse accepts, by name. */
export const deviceTypes = byName([...buildingTypes, ...energyTypes, ...trafficTypes]);

/** The type a device was provisioned with; undefined for a name not in the catalogue. */
export function getDeviceType(name: string): DeviceTypeDefinition | undefined {
  // hasOwn: a device type named "constructor" or "__proto__" must not resolve to Object.prototype's members.
  return Object.hasOwn(deviceTypes, name) ? deviceTypes[name] : undefined;
}

export function deviceTypeNames(): string[] {
  return Object.keys(deviceTypes);
}
