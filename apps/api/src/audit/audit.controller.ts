import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import type { RedisClient } from '@citypulse/redis';
import { IsOptional, IsString } from 'class-validator';
import { REDIS } from '@citypulse/core';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { AuditLog } from '@citypulse/alert-store';
import { callerOf } from '../alerting/caller.js';
import { requireAdmin } from '../alerting/require-admin.js';
import { PageQuery } from '../common/paging.js';

export class AuditQuery extends PageQuery {
  @IsOptional() @IsString()
  actor?: string;

  /** e.g. `alert:<id>`, `rule:<id>`, `webhook:<id>`, `job:<queue>/<id>`. */
  @IsOptional() @IsString()
  target?: string;
}

/** Who did what: operators' alert actions, rule and webhook changes, queue job actions. Newest first. */
@Controller('audit')
export class AuditController {
  private readonly audit: AuditLog;

  constructor(@Inject(REDIS) redis: RedisClient, @Inject(APP_CONFIG) config: AppConfig) {
    this.audit = new AuditLog(redis, config.redis.prefix);
  }

  @Get()
  async list(@Query() q: AuditQuery, @Req() req: Request) {
    requireAdmin(callerOf(req));
    return { items: await this.audit.list(q) };
  }
}
