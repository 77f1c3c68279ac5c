import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { CITY_PATTERN, DEVICE_ID_PATTERN, SITE_PATTERN } from '@citypulse/registry';
import { deviceTypeNames } from '@citypulse/devices';

export const DEVICE_FIELD_MESSAGES = {
  id: 'id must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
  type: `type must be one of the catalogue's device types: ${deviceTypeNames().join(', ')}`,
  city: 'city must be a lower-case slug such as "beijing"',
  site: 'site must be a lower-case slug such as "bj-chaoyang-01"',
} as const;

export class ProvisionDeviceDto {
  @Matches(DEVICE_ID_PATTERN, { message: DEVICE_FIELD_MESSAGES.id })
  id!: string;

  @IsIn(deviceTypeNames(), { message: DEVICE_FIELD_MESSAGES.type })
  type!: string;

  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city!: string;

  @Matches(SITE_PATTERN, { message: DEVICE_FIELD_MESSAGES.site })
  site!: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}
