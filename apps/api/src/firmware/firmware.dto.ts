import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { CITY_PATTERN } from '@citypulse/registry';
import { deviceTypeNames } from '@citypulse/devices';
import { FIRMWARE_IMAGE_ID_PATTERN, FIRMWARE_VERSION_PATTERN } from '@citypulse/firmware';
import { DEVICE_FIELD_MESSAGES } from '../devices/provision-device.dto.js';

const VERSION_MESSAGE =
  'version must be 1-64 characters of letters, digits, ".", "+", "_" or "-", starting with a letter or digit ' +
  '(e.g. 1.4.2)';
const DEVICE_TYPE_MESSAGE = `deviceType must be one of the catalogue's device types: ${deviceTypeNames().join(', ')}`;

/** POST /firmware?deviceType=&version=&city=[&notes=] — the body is the image itself (application/octet-stream). */
export class UploadFirmwareQuery {
  @IsIn(deviceTypeNames(), { message: DEVICE_TYPE_MESSAGE })
  deviceType!: string;

  @Matches(FIRMWARE_VERSION_PATTERN, { message: VERSION_MESSAGE })
  version!: string;

  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city!: string;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  notes?: string;
}

/** GET /firmware filters (combined with AND); newest first. */
export class ListFirmwareQuery {
  @IsOptional()
  @IsIn(deviceTypeNames(), { message: DEVICE_TYPE_MESSAGE })
  deviceType?: string;

  @IsOptional()
  @Matches(FIRMWARE_VERSION_PATTERN, { message: VERSION_MESSAGE })
  version?: string;

  @IsOptional()
  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city?: string;
}

/** `/firmware/:id…`: an id that cannot exist is a 400 naming `id`. */
export class FirmwarePath {
  @Matches(FIRMWARE_IMAGE_ID_PATTERN, { message: 'id must be a firmware image id (a UUID)' })
  id!: string;
}
