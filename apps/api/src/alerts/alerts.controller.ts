import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  ConflictException,
  Param,
  Post,
  Query,
  Req,
  Sse,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import type { RedisClient } from '@citypulse/redis';
import { REDIS } from '@citypulse/core';
import { AlertStore, AuditLog, countAlerts, queryAlerts, type ActionResult, type Alert } from '@citypulse/alert-store';
import { InfluxQueryClient } from '@citypulse/storage';
import { callerOf, mayAccess, type Caller } from '../alerting/caller.js';
import { ApiQueues } from '../alerting/api-queues.js';
import { AlertActionDto, AssignAlertDto, BulkAlertActionDto, SnoozeAlertDto } from './alert-actions.dto.js';
import { CountAlertsQuery, ListAlertsQuery, StreamQuery, TransitionsQuery } from './alert-queries.dto.js';
import { queryTransitions } from './alert-transitions.js';
import { LiveAlerts } from './live-alerts.js';
import { MaintenanceMarks } from '../maintenance/maintenance-marks.js';

/**
 * Alerts for operators: list and filter, the history of one alert, the transition history in
 * InfluxDB, the live stream, and the lifecycle actions (acknowledge, assign, snooze, resolve),
 * each recorded in the alert's history and the audit log. Everything is narrowed to the cities
 * the caller may see.
 */
@Controller('alerts')
export class AlertsController {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly store: AlertStore,
    private readonly audit: AuditLog,
    private readonly maintenance: MaintenanceMarks,
    private readonly influx: InfluxQueryClient,
    private readonly queues: ApiQueues,
    private readonly live: LiveAlerts,
  ) {}

  /**
   * `?state=&city=&site=&deviceId=&ruleId=&severity=&suppressed=&from=&to=` (from/to on openedAt), newest first or
   * (`order=severity`) most severe first; each marked with its maintenance.
   */
  @Get()
  async list(@Query() q: ListAlertsQuery, @Req() req: Request) {
    const caller = callerOf(req);
    if (q.city !== undefined && !mayAccess(caller, q.city))
      throw new ForbiddenException(`this token may not read alerts of ${q.city}`);
    const page = await queryAlerts(this.redis, this.store, this.store.keyNames, {
      state: q.state,
      city: q.city,
      site: q.site,
      cities: caller.cities,
      deviceId: q.deviceId,
      ruleId: q.ruleId,
      severity: q.severity,
      suppressed: q.suppressed,
      fromMs: q.from,
      toMs: q.to,
      limit: q.limit,
      offset: q.offset,
      order: q.order,
    });
    return { ...page, items: await this.maintenance.mark(page.items) };
  }

  /**
   * How many alerts match `?state=&city=&site=&deviceId=&ruleId=&from=&to=`, per severity and state:
   * `{ counts: { critical: { open, acknowledged, resolved }, warning: …, info: … } }`.
   */
  @Get('counts')
  async counts(@Query() q: CountAlertsQuery, @Req() req: Request) {
    const caller = callerOf(req);
    if (q.city !== undefined && !mayAccess(caller, q.city))
      throw new ForbiddenException(`this token may not read alerts of ${q.city}`);
    const counts = await countAlerts(this.redis, this.store.keyNames, {
      state: q.state,
      city: q.city,
      site: q.site,
      cities: caller.cities,
      deviceId: q.deviceId,
      ruleId: q.ruleId,
      fromMs: q.from,
      toMs: q.to,
    });
    return { counts };
  }

  /**
   * Acknowledges or assigns many alerts with one note: each is applied (and audited and
   * announced) on its own. `results` says per id `ok` with the alert's new state, or why not
   * (`not_found` — also another city's alert — or `conflict` with the state it is in).
   */
  @Post('bulk')
  @HttpCode(200)
  async bulk(@Body() body: BulkAlertActionDto, @Req() req: Request) {
    const results = [];
    for (const id of body.ids) {
      const apply = (by: string) =>
        body.action === 'assign'
          ? this.store.assign(id, body.assignee!, by, body.note)
          : this.store.acknowledge(id, by, body.note);
      try {
        const alert = await this.act(
          id,
          req,
          body.action === 'assign' ? `assign to ${body.assignee}` : 'acknowledge',
          body.note,
          apply,
          body.by,
        );
        results.push({ id, ok: true, state: alert.state });
      } catch (error) {
        if (error instanceof NotFoundException) results.push({ id, ok: false, error: 'not_found' });
        else if (error instanceof ConflictException)
          results.push({ id, ok: false, error: 'conflict', state: (error.getResponse() as { state?: string }).state });
        else throw error;
      }
    }
    return { results, applied: results.filter((r) => r.ok).length };
  }

  /**
   * Every transition (the `alerts` measurement in InfluxDB), filterable by time, city, device, rule, severity and
   * event.
   */
  @Get('transitions')
  async transitions(@Query() q: TransitionsQuery, @Req() req: Request) {
    const caller = callerOf(req);
    if (q.city !== undefined && !mayAccess(caller, q.city))
      throw new ForbiddenException(`this token may not read alerts of ${q.city}`);
    const items = await queryTransitions(this.influx, q, caller.cities);
    return { items };
  }

  /** Server-sent events: one message per alert event (raised, acknowledged, resolved …), as it happens. */
  @Sse('stream')
  stream(@Query() q: StreamQuery, @Req() req: Request): Observable<{ type: string; id: string; data: unknown }> {
    const caller = callerOf(req);
    if (q.city !== undefined && !mayAccess(caller, q.city))
      throw new ForbiddenException(`this token may not read alerts of ${q.city}`);
    return this.live.stream(
      (m) =>
        mayAccess(caller, m.alert.city) &&
        (q.city === undefined || m.alert.city === q.city) &&
        (q.severity === undefined || m.alert.severity === q.severity),
    );
  }

  @Get(':id')
  async get(@Param('id') id: string, @Req() req: Request) {
    const [alert] = await this.maintenance.mark([await this.visible(id, callerOf(req))]);
    return alert;
  }

  /** The alert's own record of every transition: who did what, when. */
  @Get(':id/history')
  async history(@Param('id') id: string, @Req() req: Request) {
    await this.visible(id, callerOf(req));
    return { items: await this.store.history(id) };
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  async acknowledge(@Param('id') id: string, @Body() body: AlertActionDto, @Req() req: Request) {
    return this.act(id, req, 'acknowledge', body.note, (by) => this.store.acknowledge(id, by, body.note), body.by);
  }

  @Post(':id/assign')
  @HttpCode(200)
  async assign(@Param('id') id: string, @Body() body: AssignAlertDto, @Req() req: Request) {
    return this.act(
      id,
      req,
      `assign to ${body.assignee}`,
      body.note,
      (by) => this.store.assign(id, body.assignee, by, body.note),
      body.by,
    );
  }

  /** Shelves the alert for `minutes` (no re-notification meanwhile); 0 un-snoozes. */
  @Post(':id/snooze')
  @HttpCode(200)
  async snooze(@Param('id') id: string, @Body() body: SnoozeAlertDto, @Req() req: Request) {
    return this.act(
      id,
      req,
      `snooze ${body.minutes} min`,
      body.note,
      (by) => this.store.snooze(id, Date.now() + body.minutes * 60_000, by, body.note),
      body.by,
    );
  }

  @Post(':id/resolve')
  @HttpCode(200)
  async resolve(@Param('id') id: string, @Body() body: AlertActionDto, @Req() req: Request) {
    return this.act(id, req, 'resolve', body.note, (by) => this.store.operatorResolve(id, by, body.note), body.by);
  }

  /**
   * Applies an operator action, then records it (audit log) and announces it (history point, notifications, live
   * stream).
   */
  private async act(
    id: string,
    req: Request,
    action: string,
    note: string | undefined,
    apply: (by: string) => Promise<ActionResult>,
    by: string,
  ): Promise<Alert> {
    const caller = callerOf(req);
    await this.visible(id, caller);
    const result = await apply(by);
    if ('refused' in result) {
      if (result.refused === 'not_found') throw new NotFoundException(`alert ${id} not found`);
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message: `alert ${id} is ${result.state}: cannot ${action}`,
        state: result.state,
      });
    }
    await this.audit.record({
      actor: `${by} (token ${caller.name})`,
      action: `alert.${result.event.kind}`,
      target: `alert:${id}`,
      ...(note && { detail: note }),
    });
    await this.queues.announce(result.event);
    return result.alert;
  }

  /**
   * The alert, if it exists and the caller may see its city (else 404: another tenant's alerts do not exist for them).
   */
  private async visible(id: string, caller: Caller): Promise<Alert> {
    const alert = await this.store.get(id);
    if (!alert || !mayAccess(caller, alert.city)) throw new NotFoundException(`alert ${id} not found`);
    return alert;
  }
}
