import {
  Body,
  ConflictException,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { WebhookRepository, publicWebhook, webhookTargetProblem, type Webhook } from '@citypulse/alert-config';
import { AuditLog } from '@citypulse/alert-store';
import { callerOf } from '../alerting/caller.js';
import { requireAdmin } from '../alerting/require-admin.js';
import { badRequest } from '../common/bad-request.js';
import { WebhookDto, WebhookPath } from './webhook.dto.js';
import { PageQuery, pageOf } from '../common/paging.js';

/**
 * Webhooks per rule, severity, city or event kind. Each delivery is signed
 * (`X-Citypulse-Signature: sha256=HMAC(secret, "{X-Citypulse-Timestamp}.{body}")`) and retried
 * with exponential backoff; failed ones stay in GET /queues/notifications/jobs?state=failed.
 * Targets on loopback, private, link-local, CGNAT or cloud-metadata addresses are refused unless
 * CP_WEBHOOK_ALLOW_PRIVATE=true (libs/alert-config webhook-target.ts).
 */
@Controller('webhooks')
export class WebhooksController {
  private readonly allowPrivateTargets: boolean;

  constructor(
    private readonly webhooks: WebhookRepository,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.allowPrivateTargets = config.notifications.allowPrivateTargets;
  }

  @Get()
  async list(@Query() page: PageQuery, @Req() req: Request) {
    requireAdmin(callerOf(req));
    return pageOf((await this.webhooks.list()).map(publicWebhook), page);
  }

  /** Creates a webhook; the response carries the signing secret, shown this once. */
  @Post()
  async create(@Body() body: WebhookDto, @Req() req: Request) {
    const caller = callerOf(req);
    requireAdmin(caller);
    // Resolved now to refuse a loopback, private or metadata target early; delivery checks again.
    const problem = this.allowPrivateTargets ? undefined : await webhookTargetProblem(body.url);
    if (problem) throw badRequest([{ field: 'url', message: problem }]);
    const webhook: Webhook = {
      ...body,
      secret: body.secret ?? randomBytes(32).toString('base64url'),
      enabled: body.enabled ?? true,
      createdAt: new Date().toISOString(),
    };
    if (!(await this.webhooks.create(webhook))) {
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message: `webhook ${body.id} exists`,
        fields: [{ field: 'id', problems: [`webhook ${body.id} exists`] }],
      });
    }
    await this.audit.record({
      actor: caller.name,
      action: 'webhook.create',
      target: `webhook:${webhook.id}`,
      detail: webhook.url,
    });
    return webhook;
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param() { id }: WebhookPath, @Req() req: Request) {
    const caller = callerOf(req);
    requireAdmin(caller);
    if (!(await this.webhooks.remove(id))) throw new NotFoundException(`webhook ${id} not found`);
    await this.audit.record({ actor: caller.name, action: 'webhook.delete', target: `webhook:${id}` });
  }
}
