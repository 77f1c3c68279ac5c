import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { Transform } from 'class-transformer';
import { CITY_PATTERN, SITE_PATTERN } from '@citypulse/registry';
import { deviceTypeNames, FIRMWARE_VERSION_PATTERN } from '@citypulse/devices';
import { DEVICE_FIELD_MESSAGES } from './provision-device.dto.js';
import { PageQuery } from '../common/paging.js';

/** GET /devices filters (combined with AND) and page; results are in id order. */
export class ListDevicesQuery extends PageQuery {
  @IsOptional()
  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city?: string;

  @IsOptional()
  @Matches(SITE_PATTERN, { message: DEVICE_FIELD_MESSAGES.site })
  site?: string;

  @IsOptional()
  @IsIn(deviceTypeNames(), { message: DEVICE_FIELD_MESSAGES.type })
  type?: string;

  /** Devices that last reported running this firmware version (on their state topic). */
  @IsOptional()
  @Matches(FIRMWARE_VERSION_PATTERN, {
    message: 'firmwareVersion must be a version such as 1.4.2 (letters, digits, ".", "+", "_", "-")',
  })
  firmwareVersion?: string;

  /** `true` or `false`; anything else is a 400 rather than silently "no filter". */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'online must be true or false' })
  online?: boolean;
}
