import { Controller, Get, NotFoundException, Query } from '@nestjs/common';
import { IsOptional, IsString } from 'class-validator';
import { DeadLetterStore } from '@citypulse/rejections';
import { DeviceRegistry } from '@citypulse/registry';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { PageQuery } from '../common/paging.js';

export class ListRejectionsQuery extends PageQuery {
  @IsOptional()
  @IsString()
  deviceId?: string;
}

/**
 * The dead-letter store: rejected payloads with their reasons, newest first, and counters.
 * A city-scoped token sees only its cities' devices (the store is bounded, so filtering it is cheap)
 * and no cluster-wide per-reason totals.
 */
@Controller('rejections')
export class RejectionsController {
  constructor(
    private readonly store: DeadLetterStore,
    private readonly registry: DeviceRegistry,
  ) {}

  @Get()
  async list(@Query() query: ListRejectionsQuery, @CurrentTenancy() tenancy: Tenancy) {
    if (tenancy.isClusterWide) {
      const [items, counts] = await Promise.all([this.store.list(query), this.store.counts()]);
      return { items, counts };
    }
    if (query.deviceId !== undefined) {
      const device = await this.registry.get(query.deviceId);
      if (!device || !tenancy.allows(device.city)) throw new NotFoundException(`device ${query.deviceId} not found`);
    }
    const [all, counts] = await Promise.all([
      this.store.list({ deviceId: query.deviceId, limit: Number.MAX_SAFE_INTEGER }),
      this.store.counts(),
    ]);
    const ids = [...new Set([...all.map((d) => d.deviceId), ...Object.keys(counts.byDevice)])];
    const devices = await this.registry.getMany(ids);
    const visible = new Set(ids.filter((_, i) => devices[i] && tenancy.allows(devices[i].city)));
    const items = all.filter((d) => visible.has(d.deviceId)).slice(query.offset, query.offset + query.limit);
    const byDevice = Object.fromEntries(Object.entries(counts.byDevice).filter(([id]) => visible.has(id)));
    return { items, counts: { byDevice } };
  }
}
