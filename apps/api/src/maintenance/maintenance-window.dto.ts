import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
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
import { CITY_PATTERN, DEVICE_ID_PATTERN, SITE_PATTERN } from '@citypulse/registry';
import { deviceTypeNames } from '@citypulse/devices';
import { cronProblem, isKnownTimeZone } from '@citypulse/alert-config';
import { DEVICE_FIELD_MESSAGES } from '../devices/provision-device.dto.js';
import { PageQuery } from '../common/paging.js';

/** Longest opening of a recurring window: a week. */
export const MAX_DURATION_MINUTES = 7 * 24 * 60;
export const WINDOW_ID_PATTERN = /^mw-[a-f0-9]{12}$/;

@ValidatorConstraint({ name: 'cron' })
class CronExpression implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && cronProblem(value) === undefined;
  }
  defaultMessage(args: ValidationArguments): string {
    return typeof args.value === 'string' ? cronProblem(args.value)! : 'cron must be a string';
  }
}

@ValidatorConstraint({ name: 'timeZone' })
class KnownTimeZone implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value.length <= 64 && isKnownTimeZone(value);
  }
  defaultMessage(): string {
    return 'timeZone must be an IANA time zone such as "Europe/Berlin" or "Asia/Shanghai"';
  }
}

/** endsAt after startsAt (both ISO 8601; checked only when both are given). */
@ValidatorConstraint({ name: 'endsAfterStart' })
class EndsAfterStart implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const startsAt = (args.object as MaintenanceWindowDto).startsAt;
    if (typeof value !== 'string' || typeof startsAt !== 'string') return true;
    return Date.parse(value) > Date.parse(startsAt);
  }
  defaultMessage(): string {
    return 'endsAt must be after startsAt';
  }
}

export class RecurrenceDto {
  /** Five fields: minute hour day-of-month month day-of-week, e.g. "0 2 * * 0" (Sundays 02:00). */
  @Validate(CronExpression)
  cron!: string;

  @Validate(KnownTimeZone)
  timeZone!: string;

  @IsInt()
  @Min(1)
  @Max(MAX_DURATION_MINUTES)
  durationMinutes!: number;
}

const ISO = { message: '$property must be an ISO 8601 time, e.g. 2026-05-01T22:00:00Z' };

/**
 * A maintenance window. Scope: `city` (required), narrowed by `site`, `deviceType`, `deviceIds`.
 * Time: one-off `startsAt`–`endsAt` (both required), or `recurrence` (then both optional bounds).
 */
export class MaintenanceWindowDto {
  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city!: string;

  @IsOptional()
  @Matches(SITE_PATTERN, { message: DEVICE_FIELD_MESSAGES.site })
  site?: string;

  @IsOptional()
  @IsIn(deviceTypeNames(), { message: DEVICE_FIELD_MESSAGES.type.replace('type', 'deviceType') })
  deviceType?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @Matches(DEVICE_ID_PATTERN, { each: true, message: 'each of deviceIds must be a device id' })
  deviceIds?: string[];

  @ValidateIf((o: MaintenanceWindowDto) => o.recurrence === undefined || o.startsAt !== undefined)
  @IsISO8601({ strict: true }, ISO)
  startsAt?: string;

  @ValidateIf((o: MaintenanceWindowDto) => o.recurrence === undefined || o.endsAt !== undefined)
  @IsISO8601({ strict: true }, ISO)
  @Validate(EndsAfterStart)
  endsAt?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => RecurrenceDto)
  recurrence?: RecurrenceDto;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  reason?: string;
}

/** `/maintenance-windows/:id`: an id no window can have is a 400 naming `id`, before any lookup. */
export class MaintenanceWindowPath {
  @Matches(WINDOW_ID_PATTERN, { message: 'id must be a maintenance window id such as mw-0123456789ab' })
  id!: string;
}

export class ListMaintenanceWindowsQuery extends PageQuery {
  @IsOptional()
  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city?: string;

  /**
   * open: open now; upcoming: opens later (recurring windows that are open now are both); ended: will not open again.
   */
  @IsOptional()
  @IsIn(['open', 'upcoming', 'ended'])
  status?: 'open' | 'upcoming' | 'ended';
}
