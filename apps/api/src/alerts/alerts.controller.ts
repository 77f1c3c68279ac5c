import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import type { Redis } from 'ioredis';
import { REDIS } from '@citypulse/core';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { AlertStore, type AlertState } from '@citypulse/alert-store';

export class ListAlertsQuery {
  @IsOptional() @IsIn(['open', 'acknowledged', 'resolved'])
  state?: AlertState;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit = 100;

  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  offset = 0;
}

@Controller('alerts')
export class AlertsController {
  private readonly store: AlertStore;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.store = new AlertStore(redis, config.redis.prefix);
  }

  @Get()
  list(@Query() query: ListAlertsQuery) {
    return this.store.list(query);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const alert = await this.store.get(id);
    if (!alert) throw new NotFoundException(`alert ${id} not found`);
    return alert;
  }
}
