import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { DeviceRegistry } from '@citypulse/registry';
import { getDeviceType } from '@citypulse/devices';
import { InfluxQueryClient } from '@citypulse/storage';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';

@Controller('telemetry')
export class TelemetryController {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly influx: InfluxQueryClient,
  ) {}

  /** The newest stored reading of a device, read back from InfluxDB. */
  @Get(':deviceId/latest')
  async latest(@Param('deviceId') deviceId: string, @CurrentTenancy() tenancy: Tenancy) {
    const device = await this.registry.get(deviceId);
    // Another city's device is "not found" for a city-scoped token.
    if (!device || !tenancy.allows(device.city)) throw new NotFoundException(`device ${deviceId} not found`);
    const measurement = getDeviceType(device.type)?.measurement ?? device.type;
    const reading = await this.influx.latest(measurement, deviceId);
    if (!reading) throw new NotFoundException(`no stored reading for device ${deviceId} yet`);
    // One measurement holds a whole family; SELECT * returns the other types' fields as null.
    const present = Object.fromEntries(Object.entries(reading).filter(([, v]) => v !== null));
    return { deviceId, measurement, reading: present };
  }
}
