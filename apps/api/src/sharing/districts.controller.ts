import { Body, Controller, Get, NotFoundException, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuditLog } from '@citypulse/alert-store';
import { DistrictMap, type CityDistricts } from '@citypulse/registry';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { DistrictsPath, PutDistrictsDto } from './district.dto.js';

/**
 * A city's districts — which of its sites lie in which district — for district-totals shares
 * (per-district totals: privacy by aggregation). Read by any token of the city, set whole by its
 * admin (audited); another city's districts are a 404.
 */
@ApiTags('sharing')
@ApiBearerAuth()
@Controller('cities/:city/districts')
export class DistrictsController {
  constructor(
    private readonly districts: DistrictMap,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async get(@Param() { city }: DistrictsPath, @CurrentTenancy() tenancy: Tenancy): Promise<CityDistricts> {
    ownCity(tenancy, city);
    return this.districts.get(city);
  }

  /** Replaces the city's districts; shares read them afresh on every read and live tick. */
  @Put()
  @AdminOnly()
  async put(
    @Param() { city }: DistrictsPath,
    @Body() body: PutDistrictsDto,
    @CurrentTenancy() tenancy: Tenancy,
  ): Promise<CityDistricts> {
    ownCity(tenancy, city);
    checkDistricts(body);
    const value: CityDistricts = {
      city,
      districts: body.districts.map((d) => ({ name: d.name, sites: [...new Set(d.sites)] })),
      updatedAt: new Date().toISOString(),
      updatedBy: tenancy.tokenName,
    };
    await this.districts.put(value);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'districts.put',
      target: `districts:${city}`,
      detail: value.districts.map((d) => `${d.name}: ${d.sites.join(',')}`).join('; ') || 'none',
    });
    return value;
  }
}

/** Another city's districts do not exist for the caller. */
function ownCity(tenancy: Tenancy, city: string): void {
  if (!tenancy.allows(city)) throw new NotFoundException(`city ${city} not found`);
}

/** Each district once, each site in one district at most: a site in two would count in both totals. */
function checkDistricts(body: PutDistrictsDto): void {
  const problems: Array<{ field: string; message: string }> = [];
  const names = new Set<string>();
  const districtOf = new Map<string, string>();
  body.districts.forEach((d, i) => {
    if (names.has(d.name))
      problems.push({ field: `districts.${i}.name`, message: `district ${d.name} is listed twice` });
    names.add(d.name);
    for (const site of new Set(d.sites)) {
      const other = districtOf.get(site);
      if (other !== undefined && other !== d.name)
        problems.push({ field: `districts.${i}.sites`, message: `site ${site} is already in district ${other}` });
      districtOf.set(site, d.name);
    }
  });
  if (problems.length > 0) throw badRequest(problems);
}
