import {
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { getDeviceType } from '@citypulse/devices';
import { AuditLog } from '@citypulse/alert-store';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { PageQuery, pageOf } from '../common/paging.js';
import { numericFieldsOf } from '../telemetry/numeric-fields.js';
import { AcceptShareDto, DEFAULT_MIN_DEVICES, GranularityDto, OfferShareDto, SharePath } from './share.dto.js';
import {
  ShareStore,
  WHOLE_CLUSTER,
  shareStatus,
  type AlertShareSelector,
  type ShareAgreement,
  type ShareGranularity,
} from './share-store.js';
import { involves, mayReceive, offeredByCaller, readingCity } from './share-access.js';
import { describeShare, viewOf, type ShareView } from './share-view.js';

/**
 * Sharing agreements between cities (tenants): the offering city's admin offers part of its
 * telemetry to one city or the whole cluster, the receiving city's admin accepts, the offering
 * city revokes at once. A city neither offering nor receiving gets 404 for a share. Every change
 * is audited under `share:<id>`, as is every read through the share (shared-telemetry.controller).
 */
@ApiTags('sharing')
@ApiBearerAuth()
@Controller('shares')
export class SharesController {
  constructor(
    private readonly shares: ShareStore,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Offered by and offered to the caller's cities, newest first; `readAs`: the receiving city the caller reads it as
   * now (null: none).
   */
  @Get()
  async list(@Query() page: PageQuery, @CurrentTenancy() tenancy: Tenancy) {
    const nowMs = Date.now();
    const views = (await this.shares.list())
      .filter((s) => involves(s, tenancy))
      .sort((a, b) => b.offeredAt.localeCompare(a.offeredAt))
      .map((s) => ({ ...viewOf(s, nowMs), readAs: readingCity(s, tenancy, nowMs) ?? null }));
    return pageOf(views, page);
  }

  @Get(':id')
  async get(@Param() { id }: SharePath, @CurrentTenancy() tenancy: Tenancy): Promise<ShareView> {
    return viewOf(await this.visible(id, tenancy), Date.now());
  }

  @Post()
  @AdminOnly()
  async offer(@Body() body: OfferShareDto, @CurrentTenancy() tenancy: Tenancy): Promise<ShareView> {
    if (!tenancy.allows(body.fromCity))
      throw forbidden('fromCity', `this token may not offer shares of city ${body.fromCity}`);
    checkOffer(body);
    const share: ShareAgreement = {
      id: `sh-${randomBytes(6).toString('hex')}`,
      ...(body.kind === 'alerts' && { kind: 'alerts' as const, alerts: alertSelectorOf(body) }),
      fromCity: body.fromCity,
      toCity: body.toCity,
      deviceTypes: body.kind === 'alerts' ? [] : [...new Set(body.deviceTypes)],
      fields: body.kind === 'alerts' ? [] : [...new Set(body.fields)],
      ...(body.sites && { sites: [...new Set(body.sites)] }),
      granularity: body.kind === 'alerts' ? { kind: 'raw' } : granularityOf(body.granularity),
      from: new Date(body.from).toISOString(),
      to: new Date(body.to).toISOString(),
      expiresAt: new Date(body.expiresAt).toISOString(),
      state: 'offered',
      acceptedBy: [],
      offeredBy: tenancy.tokenName,
      offeredAt: new Date().toISOString(),
    };
    await this.shares.put(share);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'share.offer',
      target: `share:${share.id}`,
      detail: describeShare(share),
    });
    return viewOf(share, Date.now());
  }

  /**
   * The receiving city's admin accepts; for a cluster share each city accepts for itself (`city` when the token has
   * several).
   */
  @Post(':id/accept')
  @AdminOnly()
  @HttpCode(200)
  async accept(
    @Param() { id }: SharePath,
    @Body() body: AcceptShareDto,
    @CurrentTenancy() tenancy: Tenancy,
  ): Promise<ShareView> {
    const share = await this.visible(id, tenancy);
    const city = body.city ?? defaultAcceptingCity(share, tenancy);
    if (city === undefined || !tenancy.allows(city) || !mayReceive(share, city)) {
      throw forbidden(
        'city',
        city === undefined
          ? 'name the accepting city (city): this token has several or none that may receive this share'
          : `city ${city} may not accept this share with this token`,
      );
    }
    let refusal: string | undefined;
    const updated = await this.shares.update(id, (current) => {
      const status = shareStatus(current, Date.now());
      refusal = status === 'revoked' || status === 'expired' ? `share ${id} is ${status}` : undefined;
      if (refusal || current.acceptedBy.includes(city)) return current;
      return { ...current, state: 'accepted', acceptedBy: [...current.acceptedBy, city] };
    });
    if (!updated) throw notFound(id);
    if (refusal) throw new ConflictException(refusal);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'share.accept',
      target: `share:${id}`,
      detail: `accepted for ${city}`,
    });
    return viewOf(updated, Date.now());
  }

  /** The offering city's admin ends the share: reads through it are 404 from the next request on. */
  @Post(':id/revoke')
  @AdminOnly()
  @HttpCode(200)
  async revoke(@Param() { id }: SharePath, @CurrentTenancy() tenancy: Tenancy): Promise<ShareView> {
    const share = await this.visible(id, tenancy);
    if (!offeredByCaller(share, tenancy))
      throw new ForbiddenException(`only ${share.fromCity}, the offering city, may revoke share ${id}`);
    const revokedAt = new Date().toISOString();
    const updated = await this.shares.update(id, (current) =>
      current.state === 'revoked' ? current : { ...current, state: 'revoked', revokedAt },
    );
    if (!updated) throw notFound(id);
    await this.audit.record({ actor: tenancy.tokenName, action: 'share.revoke', target: `share:${id}` });
    return viewOf(updated, Date.now());
  }

  /**
   * Every action on the share and every read through it (who, which range), newest first: the offering city's to read.
   */
  @Get(':id/audit')
  async auditOf(@Param() { id }: SharePath, @Query() page: PageQuery, @CurrentTenancy() tenancy: Tenancy) {
    const share = await this.visible(id, tenancy);
    if (!offeredByCaller(share, tenancy))
      throw new ForbiddenException(`only ${share.fromCity}, the offering city, reads the audit of share ${id}`);
    const { items, total } = await this.audit.list({ target: `share:${id}`, limit: page.limit, offset: page.offset });
    return { items, total, offset: page.offset, limit: page.limit };
  }

  /** The share, if it exists and involves the caller's cities (else 404: it does not exist for them). */
  private async visible(id: string, tenancy: Tenancy): Promise<ShareAgreement> {
    const share = await this.shares.get(id);
    if (!share || !involves(share, tenancy)) throw notFound(id);
    return share;
  }
}

/** What DTO decorators cannot see: a share to oneself, fields no shared type has, an expiry already past. */
function checkOffer(body: OfferShareDto): void {
  if (body.toCity === body.fromCity)
    throw badRequest([{ field: 'toCity', message: 'toCity must be another city than fromCity (or "*")' }]);
  if (Date.parse(body.expiresAt) <= Date.now())
    throw badRequest([{ field: 'expiresAt', message: 'expiresAt must be in the future' }]);
  if (body.kind === 'alerts') return;
  const numeric = new Set(body.deviceTypes.flatMap((t) => numericFieldsOf(getDeviceType(t)!)));
  const unknown = body.fields.filter((f) => !numeric.has(f));
  if (unknown.length > 0)
    throw badRequest([
      { field: 'fields', message: `not numeric fields of ${body.deviceTypes.join(', ')}: ${unknown.join(', ')}` },
    ]);
}

/** The alert share's selector as stored: only the lists given, each without repeats. */
function alertSelectorOf(body: OfferShareDto): AlertShareSelector {
  const lists = body.alerts ?? {};
  return Object.fromEntries(
    Object.entries(lists)
      .filter(([, v]) => Array.isArray(v))
      .map(([k, v]) => [k, [...new Set(v as string[])]]),
  );
}

/** The city a token accepts for when it does not say: the share's city, or the token's one receiving city. */
function defaultAcceptingCity(share: ShareAgreement, tenancy: Tenancy): string | undefined {
  if (share.toCity !== WHOLE_CLUSTER) return share.toCity;
  const candidates = (tenancy.withinCities ?? []).filter((c) => mayReceive(share, c));
  return candidates.length === 1 ? candidates[0] : undefined;
}

function forbidden(field: string, message: string): ForbiddenException {
  return new ForbiddenException({
    statusCode: 403,
    error: 'Forbidden',
    message,
    fields: [{ field, problems: [message] }],
  });
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`share ${id} not found`);
}

/** The stored granularity of a validated offer (a totals share's minDevices defaulted). */
function granularityOf(g: GranularityDto): ShareGranularity {
  if (g.kind === 'raw') return { kind: 'raw' };
  if (g.kind === 'aggregate') return { kind: 'aggregate', minIntervalMinutes: g.minIntervalMinutes! };
  return {
    kind: g.kind,
    minIntervalMinutes: g.minIntervalMinutes!,
    minDevices: g.minDevices ?? DEFAULT_MIN_DEVICES,
  };
}
