import { Controller, Get, Query } from '@nestjs/common';
import { DeviceCertificateStore } from '@citypulse/certificates';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { ExpiringQuery } from './certificate.dto.js';

const DAY_MS = 86_400_000;

/**
 * Certificates to renew: live (not revoked) device certificates whose notAfter falls within the
 * next `days`, soonest first, across the fleet — only the caller's cities for a city-scoped token.
 */
@Controller('certificates')
export class ExpiringCertificatesController {
  constructor(private readonly store: DeviceCertificateStore) {}

  @Get('expiring')
  async expiring(@Query() query: ExpiringQuery, @CurrentTenancy() tenancy: Tenancy) {
    // A city outside the caller's tenancy is an empty list, as if it had no certificates.
    const cities = query.city !== undefined ? (tenancy.allows(query.city) ? [query.city] : []) : tenancy.withinCities;
    const items = await this.store.expiring({
      withinMs: query.days * DAY_MS,
      limit: query.limit,
      ...(cities ? { cities } : {}),
    });
    return { days: query.days, items };
  }
}
