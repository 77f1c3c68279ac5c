import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { CITY_PATTERN, SITE_PATTERN } from '@citypulse/registry';
import { DEVICE_FIELD_MESSAGES } from './provision-device.dto.js';

/**
 * PATCH /devices/:id — where a device is and what it is called; id and type never change (forbidden fields get 400).
 */
export class UpdateDeviceDto {
  @IsOptional()
  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city?: string;

  @IsOptional()
  @Matches(SITE_PATTERN, { message: DEVICE_FIELD_MESSAGES.site })
  site?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
}
