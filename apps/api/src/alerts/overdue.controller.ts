import { Controller, Get, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { LastSeenIndex } from '@citypulse/alert-store';
import { DEFAULT_DEADMAN_INTERVALS } from '@citypulse/alert-config';
import { DeviceRegistry, PresenceStore } from '@citypulse/registry';
import { deviceTypes, getDeviceType } from '@citypulse/devices';
import { LATE_FACTOR, silenceStatus } from '@citypulse/rules';
import { callerOf, mayAccess } from '../alerting/caller.js';
import { PageOffset } from '../common/paging.js';

export class OverdueQuery {
  @IsOptional()
  @IsString()
  city?: string;

  @IsOptional()
  @IsIn(['late', 'silent', 'disconnected'])
  status?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  limit = 500;

  @PageOffset()
  offset = 0;
}

/**
 * Devices overdue against their type's reporting interval, each told apart as late (one report
 * missed, still connected), silent (connected, nothing for the default deadman window) or
 * disconnected (the broker saw it go). Read from the last-seen index: only overdue devices are
 * looked at, never the whole fleet.
 */
@Controller('deadman')
export class OverdueController {
  constructor(
    private readonly lastSeen: LastSeenIndex,
    private readonly presence: PresenceStore,
    private readonly registry: DeviceRegistry,
  ) {}

  @Get('overdue')
  async overdue(@Query() q: OverdueQuery, @Req() req: Request) {
    const caller = callerOf(req);
    const nowMs = Date.now();
    const shortest = Math.min(...Object.values(deviceTypes).map((t) => t.reportingIntervalS));
    const candidates = await this.lastSeen.silentSince(nowMs - shortest * LATE_FACTOR * 1000, 10_000);
    const ids = candidates.map((c) => c.deviceId);
    const [records, presences] = await Promise.all([
      Promise.all(ids.map((id) => this.registry.get(id))),
      Promise.all(ids.map((id) => this.presence.get(id))),
    ]);
    const items = [];
    let skip = q.offset;
    for (let i = 0; i < ids.length && items.length < q.limit; i++) {
      const device = records[i];
      const type = device && getDeviceType(device.type);
      if (!device || !type || !mayAccess(caller, device.city) || (q.city !== undefined && device.city !== q.city))
        continue;
      const observation = { nowMs, lastSeenMs: candidates[i].lastSeenMs, presence: { online: presences[i].online } };
      const status = silenceStatus(
        observation,
        type.reportingIntervalS,
        type.reportingIntervalS * DEFAULT_DEADMAN_INTERVALS,
      );
      if (status === 'reporting' || (q.status !== undefined && status !== q.status) || skip-- > 0) continue;
      items.push({
        deviceId: device.id,
        deviceType: device.type,
        city: device.city,
        site: device.site,
        status,
        lastSeen: new Date(candidates[i].lastSeenMs).toISOString(),
        reportingIntervalS: type.reportingIntervalS,
      });
    }
    return { items };
  }
}
