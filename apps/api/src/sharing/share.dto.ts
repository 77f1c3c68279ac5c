import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsISO8601, IsObject, IsOptional, Matches, Max, Min, Validate, ValidateIf, ValidateNested, ValidatorConstraint, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';
import { Type } from 'class-transformer';
import { CITY_PATTERN, SITE_PATTERN } from '@citypulse/registry';
import { deviceTypeNames } from '@citypulse/devices';
import { DEVICE_FIELD_MESSAGES } from '../devices/provision-device.dto.js';
import { EVERY_PATTERN } from '../telemetry/interval.js';
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

export class GranularityDto {
  /** raw: any interval; aggregate: only intervals of at least minIntervalMinutes. */
  @IsIn(['raw', 'aggregate'], { message: 'granularity.kind must be raw or aggregate' })
  kind!: 'raw' | 'aggregate';

  @ValidateIf((o: GranularityDto) => o.kind === 'aggregate') @IsInt({ message: 'minIntervalMinutes must be a whole number of minutes' }) @Min(1) @Max(7 * 24 * 60)
  minIntervalMinutes?: number;
}

/** POST /shares: what the offering city shares, with whom, how coarsely, over which data range, until when. */
export class OfferShareDto {
  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city.replace('city', 'fromCity') })
  fromCity!: string;

  @ValidateIf((o: OfferShareDto) => o.toCity !== WHOLE_CLUSTER) @Matches(CITY_PATTERN, { message: 'toCity must be a city name or "*" for the whole cluster' })
  toCity!: string;

  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(50) @IsIn(deviceTypeNames(), { each: true, message: `each of deviceTypes must be one of ${deviceTypeNames().join(', ')}` })
  deviceTypes!: string[];

  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(100) @Matches(FIELD_NAME, { each: true, message: 'each of fields must be a field name (snake_case)' })
  fields!: string[];

  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @Matches(SITE_PATTERN, { each: true, message: 'each of sites must be a site name' })
  sites?: string[];

  @IsObject({ message: 'granularity must be {"kind": "raw"} or {"kind": "aggregate", "minIntervalMinutes": N}' }) @ValidateNested() @Type(() => GranularityDto)
  granularity!: GranularityDto;

  @IsISO8601({ strict: true }, ISO)
  from!: string;

  @IsISO8601({ strict: true }, ISO) @Validate(AfterFrom)
  to!: string;

  @IsISO8601({ strict: true }, ISO)
  expiresAt!: string;
}

/** POST /shares/:id/accept: which receiving city accepts (needed only when the token has several cities). */
export class AcceptShareDto {
  @IsOptional() @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city?: string;
}

export class SharePath {
  @Matches(SHARE_ID_PATTERN, { message: 'id must be a share id such as sh-0123456789ab' })
  id!: string;
}

/** GET /shares/:id/telemetry: one shared field, mean/min/max per interval over the offering city's devices the share covers. */
export class SharedTelemetryQuery {
  @Matches(/^[a-z][a-z0-9-]{0,62}$/, { message: 'deviceType must be a device type name' })
  deviceType!: string;

  @Matches(FIELD_NAME, { message: 'field must be a field name (snake_case)' })
  field!: string;

  @IsOptional() @Matches(SITE_PATTERN, { message: 'site must be a site name' })
  site?: string;

  @IsOptional() @IsISO8601({ strict: true }, ISO)
  from?: string;

  @IsOptional() @IsISO8601({ strict: true }, ISO)
  to?: string;

  /** `raw` asks for the readings themselves (raw shares only); else an interval such as 15m. */
  @IsOptional() @ValidateIf((o: SharedTelemetryQuery) => o.every !== 'raw') @Matches(EVERY_PATTERN, { message: 'every must be raw or a whole number of s, m, h or d, e.g. 15m' })
  every?: string;
}
