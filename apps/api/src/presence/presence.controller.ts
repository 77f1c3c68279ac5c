import { Controller, Get, Query, Sse, type MessageEvent } from '@nestjs/common';
import { IsOptional, Matches } from 'class-validator';
import { filter, map, type Observable } from 'rxjs';
import { CITY_PATTERN, PresenceStore } from '@citypulse/registry';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { PresenceFeed } from './presence-feed.js';

export class PresenceEventsQuery {
  @IsOptional()
  @Matches(CITY_PATTERN, { message: 'city must be a lower-case slug such as "beijing"' })
  city?: string;
}

/** Who is online: counts per city, and a live stream of every change. Both stay within the caller's cities. */
@Controller('presence')
export class PresenceController {
  constructor(
    private readonly presence: PresenceStore,
    private readonly feed: PresenceFeed,
  ) {}

  /** `{ city: { online, offline } }` for every city with devices (that the token may see). */
  @Get('counts')
  counts(@CurrentTenancy() tenancy: Tenancy) {
    return this.presence.countsByCity(tenancy.withinCities);
  }

  /**
   * Server-sent events, one `presence` event per change: `{deviceId, city, online, at, brokerId,
   * reason?, lastWill?}`. Optionally only one city (`?city=`).
   */
  @Sse('events')
  events(@Query() query: PresenceEventsQuery, @CurrentTenancy() tenancy: Tenancy): Observable<MessageEvent> {
    return this.feed.events.pipe(
      filter((event) => tenancy.allows(event.city) && (query.city === undefined || event.city === query.city)),
      map((event) => ({ type: 'presence', data: event })),
    );
  }
}
