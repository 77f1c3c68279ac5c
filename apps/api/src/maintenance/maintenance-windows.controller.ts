import {
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { MaintenanceRepository, type MaintenanceWindow } from '@citypulse/alert-config';
import { AuditLog } from '@citypulse/alert-store';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { ListMaintenanceWindowsQuery, MaintenanceWindowDto, MaintenanceWindowPath } from './maintenance-window.dto.js';
import { byOpening, hasStatus, viewOf, type WindowView } from './window-view.js';
import { pageOf } from '../common/paging.js';

/**
 * Maintenance windows per city: while one is open, alerts of the devices in its scope are recorded
 * as suppressed and notify no one, and deadman checks skip those devices (apps/alerts). City-scoped
 * like devices: an admin token limited to cities manages windows of its cities only, any token
 * reads those of its cities, and another city's window is a 404. Every change is audited.
 */
@Controller('maintenance-windows')
export class MaintenanceWindowsController {
  constructor(
    private readonly windows: MaintenanceRepository,
    private readonly audit: AuditLog,
  ) {}

  /** `?city=&status=open|upcoming|ended`: open ones first (soonest closing), then by next opening. */
  @Get()
  async list(@Query() q: ListMaintenanceWindowsQuery, @CurrentTenancy() tenancy: Tenancy) {
    if (q.city !== undefined && !tenancy.allows(q.city))
      throw new ForbiddenException(`this token may not read maintenance windows of ${q.city}`);
    const nowMs = Date.now();
    const views = (await this.windows.list())
      .filter((w) => tenancy.allows(w.city) && (q.city === undefined || w.city === q.city))
      .map((w) => viewOf(w, nowMs))
      .filter((v) => q.status === undefined || hasStatus(v, q.status))
      .sort(byOpening);
    return pageOf(views, q);
  }

  @Get(':id')
  async get(@Param() { id }: MaintenanceWindowPath, @CurrentTenancy() tenancy: Tenancy): Promise<WindowView> {
    return viewOf(await this.visible(id, tenancy), Date.now());
  }

  @Post()
  @AdminOnly()
  async create(@Body() body: MaintenanceWindowDto, @CurrentTenancy() tenancy: Tenancy): Promise<WindowView> {
    requireCity(tenancy, body.city);
    const window: MaintenanceWindow = {
      id: `mw-${randomBytes(6).toString('hex')}`,
      ...windowFields(body),
      createdBy: tenancy.tokenName,
      createdAt: new Date().toISOString(),
    };
    await this.windows.put(window);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'maintenance-window.create',
      target: `maintenance-window:${window.id}`,
      detail: describe(window),
    });
    return viewOf(window, Date.now());
  }

  /** Replaces the window's scope and times (ending one early: `endsAt` now). */
  @Put(':id')
  @AdminOnly()
  async replace(
    @Param() { id }: MaintenanceWindowPath,
    @Body() body: MaintenanceWindowDto,
    @CurrentTenancy() tenancy: Tenancy,
  ): Promise<WindowView> {
    const before = await this.visible(id, tenancy);
    requireCity(tenancy, body.city);
    const window: MaintenanceWindow = {
      id,
      ...windowFields(body),
      createdBy: before.createdBy,
      createdAt: before.createdAt,
      updatedAt: new Date().toISOString(),
    };
    await this.windows.put(window);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'maintenance-window.update',
      target: `maintenance-window:${id}`,
      detail: describe(window),
    });
    return viewOf(window, Date.now());
  }

  @Delete(':id')
  @AdminOnly()
  @HttpCode(204)
  async remove(@Param() { id }: MaintenanceWindowPath, @CurrentTenancy() tenancy: Tenancy): Promise<void> {
    await this.visible(id, tenancy);
    if (!(await this.windows.remove(id))) throw notFound(id);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'maintenance-window.delete',
      target: `maintenance-window:${id}`,
    });
  }

  /**
   * The window, if it exists and the caller may see its city (else 404: another city's windows do not exist for it).
   */
  private async visible(id: string, tenancy: Tenancy): Promise<MaintenanceWindow> {
    const window = await this.windows.get(id);
    if (!window || !tenancy.allows(window.city)) throw notFound(id);
    return window;
  }
}

function windowFields(body: MaintenanceWindowDto): Omit<MaintenanceWindow, 'id' | 'createdBy' | 'createdAt'> {
  return {
    city: body.city,
    ...(body.site !== undefined && { site: body.site }),
    ...(body.deviceType !== undefined && { deviceType: body.deviceType }),
    ...(body.deviceIds !== undefined && { deviceIds: [...new Set(body.deviceIds)] }),
    ...(body.startsAt !== undefined && { startsAt: new Date(body.startsAt).toISOString() }),
    ...(body.endsAt !== undefined && { endsAt: new Date(body.endsAt).toISOString() }),
    ...(body.recurrence && {
      recurrence: {
        cron: body.recurrence.cron.trim(),
        timeZone: body.recurrence.timeZone,
        durationMinutes: body.recurrence.durationMinutes,
      },
    }),
    ...(body.reason !== undefined && { reason: body.reason }),
  };
}

/** A city outside the token's is refused as for devices: 403 naming `city` (the token knows its own cities). */
function requireCity(tenancy: Tenancy, city: string): void {
  if (tenancy.allows(city)) return;
  const message = `this token is not allowed to manage maintenance windows in city ${city}`;
  throw new ForbiddenException({
    statusCode: 403,
    error: 'Forbidden',
    message,
    fields: [{ field: 'city', problems: [message] }],
  });
}

function describe(w: MaintenanceWindow): string {
  const scope = [w.city, w.site, w.deviceType, w.deviceIds && `${w.deviceIds.length} devices`]
    .filter(Boolean)
    .join('/');
  const when = w.recurrence
    ? `${w.recurrence.cron} ${w.recurrence.timeZone} for ${w.recurrence.durationMinutes} min`
    : `${w.startsAt} – ${w.endsAt}`;
  return `${scope}: ${when}${w.reason ? ` (${w.reason})` : ''}`;
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`maintenance window ${id} not found`);
}
