import { Controller, Get, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AuditLog } from '@citypulse/alert-store';
import { callerOf } from '../alerting/caller.js';
import { requireAdmin } from '../alerting/require-admin.js';
import { PageQuery } from '../common/paging.js';

export class AuditQuery extends PageQuery {
  /** A name as a person types it: the token's name, or the operator's who acted through it (any case). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  /**
   * A prefix of the target: `device:bj-`, `alert:<id>`, `rule:`, `webhook:<id>`, `job:<queue>/`, `token:`;
   * `devices/bj-` reads as `device:bj-`.
   */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  target?: string;
}

/**
 * Who did what: every admin action (devices, tokens, rules, webhooks, queue jobs) and operators'
 * alert actions, each with its actor and target. Newest first, paged like the other lists.
 */
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  async list(@Query() q: AuditQuery, @Req() req: Request) {
    requireAdmin(callerOf(req));
    const { items, total } = await this.audit.list(q);
    return { items, total, offset: q.offset, limit: q.limit };
  }
}
