import { Controller, Get, Inject, NotFoundException, Param, Query, Sse, type MessageEvent } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import {
  defer,
  filter,
  finalize,
  from,
  map,
  merge,
  share as shareStream,
  switchMap,
  take,
  takeUntil,
  timer,
  type Observable,
} from 'rxjs';
import type { RedisClient } from '@citypulse/redis';
import { REDIS } from '@citypulse/core';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { AlertStore, AuditLog, queryAlerts, type Alert } from '@citypulse/alert-store';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { PageQuery } from '../common/paging.js';
import { LiveAlerts } from '../alerts/live-alerts.js';
import { SharedStreamQuery, SharePath } from './share.dto.js';
import { ShareStore, shareStatus, type ShareAgreement } from './share-store.js';
import { readingCity } from './share-access.js';
import { sharedSelection } from './share-scope.js';
import { SharedLiveFeed } from './shared-live-feed.js';
import { SharedLiveListeners } from './shared-live-listeners.js';
import { sharedAlertOf, sharesAlert } from './shared-alerts.js';

/** Alerts of the offering city looked through for one page of an alert share's list, newest first. */
const ALERT_SCAN_LIMIT = 5000;

/**
 * Live data through an accepted share, as server-sent events, and an alert share's alerts. A
 * telemetry share streams what SharedLivePublisher computes (`aggregate` events for an
 * aggregate-only share, `totals` for a totals share, `readings` for a raw one); an alert share streams the offering
 * city's chosen alert events (`alert`). Each stream re-reads its agreement every CP_SHARE_LIVE_TICK_MS
 * and, once the share is revoked or expired, sends an `end` event naming why and closes. Opening
 * a stream and listing shared alerts are reads through the share: audited.
 */
@ApiTags('sharing')
@ApiBearerAuth()
@Controller('shares')
export class SharedStreamController {
  constructor(
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly shares: ShareStore,
    private readonly audit: AuditLog,
    private readonly alerts: AlertStore,
    private readonly feed: SharedLiveFeed,
    private readonly listeners: SharedLiveListeners,
    private readonly liveAlerts: LiveAlerts,
  ) {}

  /**
   * Server-sent events: `aggregate`, `totals`, `readings` or `alert` messages marked with source city and share, then
   * `end` when the share ends.
   */
  @Sse(':id/stream')
  async stream(
    @Param() { id }: SharePath,
    @Query() query: SharedStreamQuery,
    @CurrentTenancy() tenancy: Tenancy,
  ): Promise<Observable<MessageEvent>> {
    const { share, city } = await this.readable(id, tenancy);
    let what: string;
    let data: Observable<MessageEvent>;
    if (share.kind === 'alerts') {
      await this.liveAlerts.ready();
      what = 'alert events';
      data = this.liveAlerts
        .stream((m) => sharesAlert(share, m.alert))
        .pipe(map(({ data: m }) => ({ type: 'alert', id: m.event.id, data: sharedAlertOf(share, m.alert, m.event) })));
    } else {
      if (query.deviceType !== undefined) {
        const selection = sharedSelection(
          share,
          { deviceType: query.deviceType, ...(query.field !== undefined && { fields: [query.field] }) },
          'field',
        );
        if ('message' in selection) throw badRequest([selection]);
      } else if (query.field !== undefined && !share.fields.includes(query.field)) {
        throw badRequest([{ field: 'field', message: `this share covers fields ${share.fields.join(', ')} only` }]);
      }
      await this.feed.ready();
      what = `${query.deviceType ?? share.deviceTypes.join(',')}.${query.field ?? share.fields.join(',')}`;
      // A listener while subscribed: the publisher computes the share's live data only while someone listens.
      data = defer(() => {
        const gone = this.listeners.listen(id);
        return this.feed.messages.pipe(
          filter(
            (m) =>
              m.source.share === id &&
              (query.deviceType === undefined || m.deviceType === query.deviceType) &&
              (query.field === undefined || m.field === query.field),
          ),
          map((m) => ({ type: m.kind, data: m })),
          finalize(gone),
        );
      });
    }
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'share.stream',
      target: `share:${id}`,
      detail: `${city} opened a live stream of ${what}`,
    });
    const ended = timer(this.config.sharing.liveTickMs, this.config.sharing.liveTickMs).pipe(
      switchMap(() => from(this.shares.get(id))),
      map((current) => (current ? shareStatus(current, Date.now()) : 'deleted')),
      filter((status) => status !== 'accepted'),
      take(1),
      map((status): MessageEvent => ({
        type: 'end',
        data: { source: { city: share.fromCity, share: id }, reason: status },
      })),
      shareStream(),
    );
    return merge(data.pipe(takeUntil(ended)), ended);
  }

  /** An alert share's alerts, newest first, read-only, each marked with source city and share. */
  @Get(':id/alerts')
  async alertsOf(@Param() { id }: SharePath, @Query() page: PageQuery, @CurrentTenancy() tenancy: Tenancy) {
    const { share, city } = await this.readable(id, tenancy);
    if (share.kind !== 'alerts')
      throw badRequest([{ field: 'id', message: `share ${id} shares telemetry, not alert events` }]);
    const found = await queryAlerts(this.redis, this.alerts, this.alerts.keyNames, {
      city: share.fromCity,
      cities: [share.fromCity],
      fromMs: Date.parse(share.from),
      toMs: Date.parse(share.to) - 1,
      limit: ALERT_SCAN_LIMIT,
    });
    const shared = found.items.filter((alert: Alert) => sharesAlert(share, alert));
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'share.read',
      target: `share:${id}`,
      detail: `${city} listed shared alerts (${shared.length})`,
    });
    return {
      items: shared.slice(page.offset, page.offset + page.limit).map((alert) => sharedAlertOf(share, alert)),
      total: shared.length,
      offset: page.offset,
      limit: page.limit,
    };
  }

  /** The share and the receiving city the caller reads as; 404 when the share answers this caller nothing. */
  private async readable(id: string, tenancy: Tenancy): Promise<{ share: ShareAgreement; city: string }> {
    const share = await this.shares.get(id);
    const city = share && readingCity(share, tenancy, Date.now());
    if (!share || city === undefined) throw new NotFoundException(`share ${id} not found`);
    return { share, city };
  }
}
