import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { InfluxQueryClient } from '@citypulse/storage';
import { DistrictMap } from '@citypulse/registry';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditLog } from '@citypulse/alert-store';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { toFieldSeries } from '../telemetry/telemetry-queries.js';
import { sharedSelection } from './share-scope.js';
import { SharedTelemetryQuery, SharePath } from './share.dto.js';
import { ShareStore, isTotals, type ShareAgreement } from './share-store.js';
import { readingCity } from './share-access.js';
import { sharedWindow } from './shared-window.js';
import {
  MAX_RAW_READINGS,
  sharedRawQuery,
  sharedStatsQuery,
  toSharedReadings,
  type SharedScope,
} from './shared-telemetry-queries.js';
import { sharedTotals } from './shared-totals.js';

/**
 * Telemetry of another city through an accepted share: only the share's device types, fields and
 * sites, clipped to its data range, at its granularity (a totals share: per-site or per-district sum/mean
 * where enough devices reported, never a device's value or id). Every answer names its source city and
 * share; every read is audited (who, which share, what range). A share not accepted by one of the
 * caller's cities — or revoked, or expired — is a 404 from the moment it changes: the agreement is
 * read from Redis on every request, nothing is cached.
 */
@ApiTags('sharing')
@ApiBearerAuth()
@Controller('shares')
export class SharedTelemetryController {
  constructor(
    private readonly shares: ShareStore,
    private readonly audit: AuditLog,
    private readonly influx: InfluxQueryClient,
    private readonly districts: DistrictMap,
  ) {}

  @Get(':id/telemetry')
  async read(@Param() { id }: SharePath, @Query() query: SharedTelemetryQuery, @CurrentTenancy() tenancy: Tenancy) {
    const share = await this.shares.get(id);
    const city = share && readingCity(share, tenancy, Date.now());
    if (!share || city === undefined) throw new NotFoundException(`share ${id} not found`);
    const scope = scopeOf(share, query);
    const window = sharedWindow(share, query, Date.now());
    if ('field' in window) throw badRequest([window]);
    const source = { city: share.fromCity, share: share.id };
    const range = { from: new Date(window.fromMs).toISOString(), to: new Date(window.toMs).toISOString() };
    let answer: Record<string, unknown> & { every: string };
    if (window.raw) {
      const readings = toSharedReadings(
        scope.field,
        await this.influx.series(sharedRawQuery(scope, window.fromMs, window.toMs), { epoch: 'ms' }),
      );
      answer = {
        source,
        deviceType: scope.deviceType,
        field: scope.field,
        ...range,
        every: 'raw',
        readings,
        truncated: readings.length === MAX_RAW_READINGS,
      };
    } else if (isTotals(share.granularity)) {
      const totals = await sharedTotals(
        { influx: this.influx, districts: this.districts },
        share.granularity,
        scope,
        window,
      );
      answer = {
        source,
        deviceType: scope.deviceType,
        field: scope.field,
        ...range,
        every: window.every,
        minDevices: share.granularity.minDevices,
        by: share.granularity.kind === 'site-totals' ? 'site' : 'district',
        totals,
      };
    } else {
      const [series] = toFieldSeries(
        [scope.field],
        await this.influx.series(sharedStatsQuery(scope, window), { epoch: 'ms' }),
      );
      answer = {
        source,
        deviceType: scope.deviceType,
        field: scope.field,
        ...range,
        every: window.every,
        points: series.points,
      };
    }
    const what = `${scope.deviceType}.${scope.field}${query.site ? ` site ${query.site}` : ''}`;
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'share.read',
      target: `share:${id}`,
      detail: `${city} read ${what} ${range.from} – ${range.to} every ${answer.every}`,
    });
    return answer;
  }
}

/** The query's device type, field and site, each one the share allows (else a 400 naming it). */
function scopeOf(share: ShareAgreement, query: SharedTelemetryQuery): SharedScope {
  const selection = sharedSelection(
    share,
    { deviceType: query.deviceType, fields: [query.field], ...(query.site !== undefined && { site: query.site }) },
    'field',
  );
  if ('message' in selection) throw badRequest([selection]);
  const { fields, ...scope } = selection;
  return { ...scope, field: fields[0] };
}
