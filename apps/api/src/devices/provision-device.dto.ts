import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { DEVICE_ID_PATTERN } from '@citypulse/registry';
import { deviceTypeNames } from '@citypulse/devices';

export class ProvisionDeviceDto {
  @Matches(DEVICE_ID_PATTERN, { message: 'id must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit' })
  id!: string;

  @IsIn(deviceTypeNames(), { message: `type must be one of the catalogue's device types: ${deviceTypeNames().join(', ')}` })
  type!: string;

  @Matches(/^[a-z0-9][a-z0-9-]{0,39}$/, { message: 'city must be a lower-case slug such as "beijing"' })
  city!: string;

  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/, { message: 'site must be a lower-case slug such as "bj-chaoyang-01"' })
  site!: string;

  @IsOptional() @IsString() @Length(1, 200)
  name?: string;
}
