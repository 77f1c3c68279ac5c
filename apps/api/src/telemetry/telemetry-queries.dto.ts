import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { CITY_PATTERN, DEVICE_ID_PATTERN } from '@citypulse/registry';
import { EVERY_PATTERN, MAX_INTERVALS } from './interval.js';

const EVERY_MESSAGE = 'every must be a whole number of s, m, h or d, e.g. 10s, 1m, 5m, 1h';
const TIME_MESSAGE = (field: string) => `${field} must be an ISO 8601 time, e.g. 2026-05-01T12:00:00Z`;

/** The families (InfluxDB measurements) a city aggregate can read. */
export const MEASUREMENTS = ['building', 'energy', 'traffic'] as const;

/** from / to, shared by the history, aggregate and export queries. */
export class TimeRangeQuery {
  @ApiPropertyOptional({
    description: 'Start (inclusive), ISO 8601. Default: an hour before `to`.',
    example: '2026-05-01T11:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: TIME_MESSAGE('from') })
  from?: string;

  @ApiPropertyOptional({ description: 'End (exclusive), ISO 8601. Default: now.', example: '2026-05-01T12:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: TIME_MESSAGE('to') })
  to?: string;
}

/** from / to / every, shared by the history and aggregate queries. */
export class TimeWindowQuery extends TimeRangeQuery {
  @ApiPropertyOptional({
    description:
      `Interval of mean/min/max (InfluxQL GROUP BY time): s, m, h or d. Default: about 120 points over the ` +
      `range; at most ${MAX_INTERVALS} intervals.`,
    example: '1m',
  })
  @IsOptional()
  @Matches(EVERY_PATTERN, { message: EVERY_MESSAGE })
  every?: string;
}

/** GET /telemetry/:deviceId/history */
export class HistoryQuery extends TimeWindowQuery {
  @ApiPropertyOptional({
    description: 'Comma-separated numeric fields of the device type. Default: all of them.',
    example: 'temperature,co2',
  })
  @IsOptional()
  @Matches(/^[a-z0-9_]*(,[a-z0-9_]+)*$/, { message: 'fields must be a comma-separated list of field names' })
  fields?: string;
}

/** GET /telemetry/cities/:city/aggregate */
export class CityAggregateQuery extends TimeWindowQuery {
  @ApiProperty({ enum: MEASUREMENTS, description: 'The device family (InfluxDB measurement).' })
  @IsIn(MEASUREMENTS, { message: `measurement must be one of ${MEASUREMENTS.join(', ')}` })
  measurement!: string;

  @ApiProperty({ description: 'A numeric field of a device type of that family.', example: 'power' })
  @Matches(/^[a-z][a-z0-9_]{0,62}$/, { message: 'field must be a field name (snake_case)' })
  field!: string;
}

export class DeviceIdParam {
  @ApiProperty({ example: 'bj-env-001' })
  @Matches(DEVICE_ID_PATTERN, { message: `deviceId must match ${DEVICE_ID_PATTERN}` })
  deviceId!: string;
}

export class CityParam {
  @ApiProperty({ example: 'beijing' })
  @Matches(CITY_PATTERN, { message: `city must match ${CITY_PATTERN}` })
  city!: string;
}
