import { Body, ConflictException, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS, } from '@citypulse/core';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { DeviceExistsError, DeviceRegistry, PresenceStore, toPublic } from '@citypulse/registry';
import { ProvisionDeviceDto } from './provision-device.dto.js';

@Controller('devices')
export class DevicesController {
  private readonly presence: PresenceStore;

  constructor(
    private readonly registry: DeviceRegistry,
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.presence = new PresenceStore(redis, config.redis.prefix);
  }

  /** Provisions a device. The secret is in this response only; citypulse keeps just its hash. */
  @Post()
  async provision(@Body() body: ProvisionDeviceDto) {
    try {
      const { device, secret } = await this.registry.provision(body);
      return { ...toPublic(device), secret };
    } catch (err) {
      if (err instanceof DeviceExistsError) throw new ConflictException({ statusCode: 409, error: 'Conflict', message: err.message, fields: [{ field: 'id', problems: [err.message] }] });
      throw err;
    }
  }

  @Get()
  async list() {
    const devices = await this.registry.list();
    return { items: devices.map(toPublic), total: devices.length };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const device = await this.registry.get(id);
    if (!device) throw new NotFoundException(`device ${id} not found`);
    return { ...toPublic(device), presence: await this.presence.get(id) };
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string) {
    if (!(await this.registry.remove(id))) throw new NotFoundException(`device ${id} not found`);
  }
}
