import { Controller, Get, Inject, Query } from '@nestjs/common';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import type { Redis } from 'ioredis';
import { REDIS } from '@citypulse/core';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { DeadLetterStore } from '@citypulse/rejections';

export class ListRejectionsQuery {
  @IsOptional() @IsString()
  deviceId?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  limit = 100;

  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  offset = 0;
}

/** The dead-letter store: rejected payloads with their reasons, newest first, and counters. */
@Controller('rejections')
export class RejectionsController {
  private readonly store: DeadLetterStore;

  constructor(@Inject(REDIS) redis: Redis, @Inject(APP_CONFIG) config: AppConfig) {
    this.store = new DeadLetterStore(redis, config.redis.prefix);
  }

  @Get()
  async list(@Query() query: ListRejectionsQuery) {
    const [items, counts] = await Promise.all([this.store.list(query), this.store.counts()]);
    return { items, counts };
  }
}
