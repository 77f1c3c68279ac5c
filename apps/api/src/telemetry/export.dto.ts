import { IsIn, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { CITY_PATTERN, DEVICE_ID_PATTERN, SITE_PATTERN } from '@citypulse/registry';
import { EXPORT_FORMATS, type ExportFormat } from './export-format.js';
import { TimeRangeQuery } from './telemetry-queries.dto.js';

/** GET /telemetry/export; from/to as for history (default: the last hour). */
export class ExportQuery extends TimeRangeQuery {
  @ApiPropertyOptional({
    description: 'The city (tenant). Default: the device’s city, or the token’s only city.',
    example: 'beijing',
  })
  @IsOptional()
  @Matches(CITY_PATTERN, { message: `city must match ${CITY_PATTERN}` })
  city?: string;

  @ApiPropertyOptional({
    description:
      'A device type of the catalogue (GET /device-types): the export’s fields are its fields. Default: the ' +
      'device’s type; one of type and device is required.',
    example: 'env-sensor',
  })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{0,63}$/, { message: 'type must be a device type name, e.g. env-sensor' })
  type?: string;

  @ApiPropertyOptional({ description: 'Only this site’s devices.', example: 'bj-tower-1' })
  @IsOptional()
  @Matches(SITE_PATTERN, { message: `site must match ${SITE_PATTERN}` })
  site?: string;

  @ApiPropertyOptional({ description: 'Only this device.', example: 'bj-env-001' })
  @IsOptional()
  @Matches(DEVICE_ID_PATTERN, { message: `device must match ${DEVICE_ID_PATTERN}` })
  device?: string;

  @ApiPropertyOptional({
    description: 'Comma-separated fields of the device type, in column order. Default: all of them.',
    example: 'temperature,co2',
  })
  @IsOptional()
  @Matches(/^[a-z0-9_]+(,[a-z0-9_]+)*$/, { message: 'fields must be a comma-separated list of field names' })
  fields?: string;

  @ApiPropertyOptional({
    enum: EXPORT_FORMATS,
    description: 'csv (RFC 4180, header row) or ndjson (one JSON object per line).',
    default: 'csv',
  })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format: ExportFormat = 'csv';

  @ApiPropertyOptional({
    description:
      'The most rows the caller accepts; more matching is a 400 naming limit. Default and maximum: ' +
      'CP_EXPORT_MAX_ROWS (1,000,000).',
    example: 100000,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  limit?: number;
}
