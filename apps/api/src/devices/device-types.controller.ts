import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { deviceTypes, getDeviceType } from '@citypulse/devices';

/**
 * The device catalogue: every type a device can be provisioned with, its fields (unit, range) and default alert rules.
 */
@Controller('device-types')
export class DeviceTypesController {
  @Get()
  list() {
    return { items: Object.values(deviceTypes) };
  }

  @Get(':name')
  get(@Param('name') name: string) {
    const type = getDeviceType(name);
    if (!type) throw new NotFoundException(`device type ${name} is not in the catalogue`);
    return type;
  }
}
