import { getDeviceType } from '@citypulse/devices';
import { numericFieldsOf } from '../telemetry/numeric-fields.js';
import type { ShareAgreement } from './share-store.js';

/*
 * What one read through a share may touch, decided from the agreement. Pure. The caller names a
 * device type, fields and a site; each must be one the share gives, else the problem names the
 * query field at fault. Every statement built from a SharedSelection is confined to the offering
 * city, the device type, the fields and the sites of the agreement.
 */

export interface SharedSelection {
  /** The offering city: the only city whose data a share reads. */
  city: string;
  deviceType: string;
  measurement: string;
  /** The share's sites (or the one asked for among them); every site of the city when absent. */
  sites?: readonly string[];
  /** Shared numeric fields of the type, in the order asked (or the share's order). */
  fields: readonly string[];
}

export type ScopeProblem = { field: 'deviceType' | 'field' | 'fields' | 'site'; message: string };

/**
 * The selection for a request: `fields` undefined means every field the share gives of this type.
 * `fieldParam` names the query parameter in problems (`field` on /telemetry, `fields` on /export).
 */
export function sharedSelection(
  share: ShareAgreement,
  query: { deviceType: string; fields?: readonly string[]; site?: string },
  fieldParam: 'field' | 'fields' = 'fields',
): SharedSelection | ScopeProblem {
  if (share.kind === 'alerts')
    return { field: 'deviceType', message: `share ${share.id} gives alert events, not telemetry` };
  const type = share.deviceTypes.includes(query.deviceType) ? getDeviceType(query.deviceType) : undefined;
  if (!type)
    return { field: 'deviceType', message: `this share covers device types ${share.deviceTypes.join(', ')} only` };
  const given = numericFieldsOf(type).filter((f) => share.fields.includes(f));
  const fields = query.fields === undefined ? given : [...new Set(query.fields)];
  if (fields.length === 0 || fields.some((f) => !given.includes(f))) {
    return {
      field: fieldParam,
      message: `this share covers fields ${share.fields.join(', ')} of ${query.deviceType} only`,
    };
  }
  // One site's figures would be finer than the district totals agreed to.
  if (query.site !== undefined && share.granularity.kind === 'district-totals')
    return { field: 'site', message: 'this share gives per-district totals only: no site on its own' };
  if (query.site !== undefined && share.sites && !share.sites.includes(query.site))
    return { field: 'site', message: `this share covers sites ${share.sites.join(', ')} only` };
  const sites = query.site !== undefined ? [query.site] : share.sites;
  return {
    city: share.fromCity,
    deviceType: type.name,
    measurement: type.measurement,
    fields,
    ...(sites && { sites }),
  };
}
