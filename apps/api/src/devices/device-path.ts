import { IsUUID, Matches } from 'class-validator';
import { DEVICE_ID_PATTERN } from '@citypulse/registry';
import { DEVICE_FIELD_MESSAGES } from './provision-device.dto.js';

/** `/devices/:id…`: an id that cannot exist is a 400 naming `id`, before any lookup. */
export class DevicePath {
  @Matches(DEVICE_ID_PATTERN, { message: DEVICE_FIELD_MESSAGES.id })
  id!: string;
}

/** `/devices/:id/commands/:commandId` (command ids are random UUIDs). */
export class DeviceCommandPath extends DevicePath {
  @IsUUID('all', { message: 'commandId must be a UUID' })
  commandId!: string;
}
