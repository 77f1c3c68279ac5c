import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  Matches,
  Max,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { Type } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { CITY_PATTERN, SITE_PATTERN } from '@citypulse/registry';
import { deviceTypeNames } from '@citypulse/devices';
import { DEVICE_FIELD_MESSAGES } from '../devices/provision-device.dto.js';
import { EVERY_PATTERN } from '../telemetry/interval.js';
import { EXPORT_FORMATS, type ExportFormat } from '../telemetry/export-format.js';
import { WHOLE_CLUSTER } from './share-store.js';

export const SHARE_ID_PATTERN = /^sh-[a-f0-9]{12}$/;
const ISO = { message: '$property must be an ISO 8601 time, e.g. 2026-05-01T00:00:00Z' };
const FIELD_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** `to` after `from`. */
@ValidatorConstraint({ name: 'afterFrom' })
class AfterFrom implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const from = (args.object as { from?: unknown }).from;
    return typeof value !== 'string' || typeof from !== 'string' || Date.parse(value) > Date.parse(from);
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be after from`;
  }
}

/** The fewest devices of a site (district) that must report in an interval for a totals share to give its totals. */
export const DEFAULT_MIN_DEVICES = 3;

const GRANULARITY_KINDS = ['raw', 'aggregate', 'site-totals', 'district-totals'] as const;
const isTotalsKind = (kind: string) => kind === 'site-totals' || kind === 'district-totals';

export class GranularityDto {
  /**
   * raw: any interval; aggregate: only intervals of at least minIntervalMinutes; site-totals / district-totals:
   * per-site / per-district totals of at least minDevices devices (districts: PUT /cities/:city/districts).
   */
  @IsIn(GRANULARITY_KINDS, { message: `granularity.kind must be one of ${GRANULARITY_KINDS.join(', ')}` })
  kind!: (typeof GRANULARITY_KINDS)[number];

  @ValidateIf((o: GranularityDto) => o.kind !== 'raw')
  @IsInt({ message: 'minIntervalMinutes must be a whole number of minutes' })
  @Min(1)
  @Max(7 * 24 * 60)
  minIntervalMinutes?: number;

  /** Totals kinds only; default DEFAULT_MIN_DEVICES. One device's "total" would be its own readings. */
  @ValidateIf((o: GranularityDto) => isTotalsKind(o.kind) && o.minDevices !== undefined)
  @IsInt({ message: 'minDevices must be a whole number of devices' })
  @Min(2, { message: 'minDevices must be at least 2: a total over one device is that device’s readings' })
  @Max(10_000)
  minDevices?: number;
}

const ALERT_SEVERITIES = ['info', 'warning', 'critical'];

/** An alert share's choice of the offering city's alerts; each list absent: any. */
export class AlertSelectorDto {
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { each: true, message: 'each of alerts.ruleIds must be a rule id' })
  ruleIds?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsIn(deviceTypeNames(), {
    each: true,
    message: `each of alerts.deviceTypes must be one of ${deviceTypeNames().join(', ')}`,
  })
  deviceTypes?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(FIELD_NAME, { each: true, message: 'each of alerts.fields must be a field name (snake_case)' })
  fields?: string[];

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(ALERT_SEVERITIES, {
    each: true,
    message: `each of alerts.severities must be one of ${ALERT_SEVERITIES.join(', ')}`,
  })
  severities?: string[];
}

const isTelemetry = (o: OfferShareDto) => o.kind !== 'alerts';

/**
 * POST /shares: what the offering city shares, with whom, how coarsely, over which data range, until
 * when. Kind `telemetry` (the default) shares device types' fields at a granularity; kind `alerts`
 * shares the alert events `alerts` chooses (and `sites`), opened within from–to.
 */
export class OfferShareDto {
  @IsOptional()
  @IsIn(['telemetry', 'alerts'], { message: 'kind must be telemetry or alerts' })
  kind?: 'telemetry' | 'alerts';

  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city.replace('city', 'fromCity') })
  fromCity!: string;

  @ValidateIf((o: OfferShareDto) => o.toCity !== WHOLE_CLUSTER)
  @Matches(CITY_PATTERN, { message: 'toCity must be a city name or "*" for the whole cluster' })
  toCity!: string;

  @ValidateIf(isTelemetry)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsIn(deviceTypeNames(), {
    each: true,
    message: `each of deviceTypes must be one of ${deviceTypeNames().join(', ')}`,
  })
  deviceTypes!: string[];

  @ValidateIf(isTelemetry)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(FIELD_NAME, { each: true, message: 'each of fields must be a field name (snake_case)' })
  fields!: string[];

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @Matches(SITE_PATTERN, { each: true, message: 'each of sites must be a site name' })
  sites?: string[];

  @ValidateIf(isTelemetry)
  @IsObject({
    message:
      'granularity must be {"kind": "raw"}, {"kind": "aggregate", "minIntervalMinutes": N} or {"kind": ' +
      '"site-totals" or "district-totals", "minIntervalMinutes": N, "minDevices": M}',
  })
  @ValidateNested()
  @Type(() => GranularityDto)
  @ApiProperty({ type: () => GranularityDto })
  granularity!: GranularityDto;

  @ValidateIf((o: OfferShareDto) => o.kind === 'alerts' && o.alerts !== undefined)
  @IsObject({ message: 'alerts must be an object of ruleIds, deviceTypes, fields and severities (each optional)' })
  @ValidateNested()
  @Type(() => AlertSelectorDto)
  alerts?: AlertSelectorDto;

  @IsISO8601({ strict: true }, ISO)
  from!: string;

  @IsISO8601({ strict: true }, ISO)
  @Validate(AfterFrom)
  to!: string;

  @IsISO8601({ strict: true }, ISO)
  expiresAt!: string;
}

/** POST /shares/:id/accept: which receiving city accepts (needed only when the token has several cities). */
export class AcceptShareDto {
  @IsOptional()
  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city?: string;
}

export class SharePath {
  @Matches(SHARE_ID_PATTERN, { message: 'id must be a share id such as sh-0123456789ab' })
  id!: string;
}

/** site/from/to/every of a read through a share. */
class SharedRangeQuery {
  @IsOptional()
  @Matches(SITE_PATTERN, { message: 'site must be a site name' })
  site?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, ISO)
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true }, ISO)
  to?: string;

  /** `raw` asks for the readings themselves (raw shares only); else an interval such as 15m. */
  @IsOptional()
  @ValidateIf((o: SharedRangeQuery) => o.every !== 'raw')
  @Matches(EVERY_PATTERN, { message: 'every must be raw or a whole number of s, m, h or d, e.g. 15m' })
  every?: string;
}

/**
 * GET /shares/:id/telemetry: one shared field, mean/min/max per interval over the offering city's devices the share
 * covers.
 */
export class SharedTelemetryQuery extends SharedRangeQuery {
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, { message: 'deviceType must be a device type name' })
  deviceType!: string;

  @Matches(FIELD_NAME, { message: 'field must be a field name (snake_case)' })
  field!: string;
}

/**
 * GET /shares/:id/export: the shared fields of one device type as CSV or NDJSON; `every` defaults
 * to raw for a raw share and to the minimum interval for an aggregate-only one.
 */
export class SharedExportQuery extends SharedRangeQuery {
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, { message: 'deviceType must be a device type name' })
  deviceType!: string;

  /** Comma-separated shared fields; default: every field the share gives of the type. */
  @IsOptional()
  @Matches(/^[a-z0-9_]+(,[a-z0-9_]+)*$/, { message: 'fields must be a comma-separated list of field names' })
  fields?: string;

  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format: ExportFormat = 'csv';

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  limit?: number;
}

/** GET /shares/:id/stream: optionally one device type and field of a telemetry share. */
export class SharedStreamQuery {
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, { message: 'deviceType must be a device type name' })
  deviceType?: string;

  @IsOptional()
  @Matches(FIELD_NAME, { message: 'field must be a field name (snake_case)' })
  field?: string;
}
