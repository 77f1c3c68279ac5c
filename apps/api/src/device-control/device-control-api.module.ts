import { Module } from '@nestjs/common';
import { CommandsController } from './commands.controller.js';
import { CommandTimeouts } from './command-timeouts.js';
import { ForgetDeletedDevices } from './forget-deleted-devices.js';
import { ShadowController } from './shadow.controller.js';
import { FirmwareApiModule } from '../firmware/firmware-api.module.js';

/** Reaching devices: the shadow (desired/reported configuration) and commands. */
@Module({
  imports: [FirmwareApiModule],
  controllers: [ShadowController, CommandsController],
  providers: [CommandTimeouts, ForgetDeletedDevices],
})
export class DeviceControlApiModule {}
