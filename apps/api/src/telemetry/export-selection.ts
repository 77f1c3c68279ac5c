import { NotFoundException } from '@nestjs/common';
import { deviceTypes, getDeviceType, type DeviceTypeDefinition } from '@citypulse/devices';
import type { DeviceRecord } from '@citypulse/registry';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { DEFAULT_RANGE_MS } from './interval.js';
import type { ExportQuery } from './export.dto.js';
import type { ExportSelection } from './export-query.js';

/*
 * What an export request may read, decided before InfluxDB is asked: the city (tenant), the device
 * type whose fields become the columns, site and device filters, fields and time range. A city or
 * device the caller may not see is a 404, as on every route, and is decided before any check that
 * depends on it, so an answer never tells whether another city's device exists.
 */

export interface ExportSelectionInput {
  query: ExportQuery;
  tenancy: Tenancy;
  /** The registry's record of `query.device` (null when there is none). */
  lookupDevice: (id: string) => Promise<DeviceRecord | null>;
  nowMs: number;
}

export async function resolveExportSelection({
  query,
  tenancy,
  lookupDevice,
  nowMs,
}: ExportSelectionInput): Promise<ExportSelection> {
  const toMs = query.to === undefined ? nowMs : Date.parse(query.to);
  const fromMs = query.from === undefined ? toMs - DEFAULT_RANGE_MS : Date.parse(query.from);
  if (!(fromMs < toMs)) throw badRequest([{ field: 'from', message: 'from must be before to' }]);

  const device =
    query.device === undefined ? undefined : await visibleDevice(query.device, query.city, tenancy, lookupDevice);
  const city = query.city ?? device?.city ?? onlyCityOf(tenancy);
  if (!tenancy.allows(city)) throw new NotFoundException(`city ${city} not found`);

  const type = deviceTypeOf(query.type, device);
  const fields = fieldsOf(type, query.fields);
  return {
    city,
    deviceType: type.name,
    measurement: type.measurement,
    ...(query.site !== undefined && { site: query.site }),
    ...(device && { deviceId: device.id }),
    fields,
    fromMs,
    toMs,
  };
}

/** The device, when the caller may see it and it is in the city asked for; else 404 either way. */
async function visibleDevice(
  id: string,
  city: string | undefined,
  tenancy: Tenancy,
  lookupDevice: ExportSelectionInput['lookupDevice'],
): Promise<DeviceRecord> {
  const device = await lookupDevice(id);
  if (!device || !tenancy.allows(device.city) || (city !== undefined && city !== device.city))
    throw new NotFoundException(`device ${id} not found`);
  return device;
}

/** Without city or device, a token of exactly one city exports that city; anyone else must say. */
function onlyCityOf(tenancy: Tenancy): string {
  const cities = tenancy.withinCities;
  if (cities?.length === 1) return cities[0];
  const why = cities ? `this token covers several cities (${cities.join(', ')})` : 'this token covers every city';
  throw badRequest([{ field: 'city', message: `city is required: ${why}` }]);
}

function deviceTypeOf(name: string | undefined, device: DeviceRecord | undefined): DeviceTypeDefinition {
  const typeName = name ?? device?.type;
  if (typeName === undefined) {
    throw badRequest([
      {
        field: 'type',
        message: 'type (a device type) or device is required: an export holds one device type’s fields',
      },
    ]);
  }
  const type = getDeviceType(typeName);
  if (!type)
    throw badRequest([
      { field: 'type', message: `${typeName} is not a device type; known: ${Object.keys(deviceTypes).join(', ')}` },
    ]);
  if (device && device.type !== type.name)
    throw badRequest([{ field: 'type', message: `device ${device.id} is a ${device.type}, not a ${type.name}` }]);
  return type;
}

/** The fields asked for (each a field of the type, in the order given), or all of the type's. */
function fieldsOf(type: DeviceTypeDefinition, requested: string | undefined): string[] {
  const all = Object.keys(type.fields);
  if (requested === undefined) return all;
  const names = [...new Set(requested.split(','))];
  const unknown = names.filter((f) => !all.includes(f));
  if (unknown.length > 0)
    throw badRequest([
      { field: 'fields', message: `not fields of ${type.name}: ${unknown.join(', ')} (its fields: ${all.join(', ')})` },
    ]);
  return names;
}
