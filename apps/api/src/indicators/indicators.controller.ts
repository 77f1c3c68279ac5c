import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { ruleCatalogue } from '@citypulse/alert-config';
import { InfluxQueryClient } from '@citypulse/storage';
import {
  indicatorValuesQuery,
  LatestIndicatorValues,
  loadIndicatorDefinitions,
  toIndicatorValues,
  type IndicatorDefinition,
} from '@citypulse/indicators';
import { badRequest } from '../common/bad-request.js';
import { DEFAULT_RANGE_MS } from '../telemetry/interval.js';
import { IndicatorPath, IndicatorValuesQuery } from './indicator.dto.js';

/** The most values one GET /indicators/:id/values returns (a day of one-minute values is 1,440). */
export const MAX_INDICATOR_VALUES = 10_000;

/**
 * Cluster indicators (definitions: CP_INDICATORS_FILE; computed by the alerts app). Regional
 * figures, so every token reads them, whatever its cities: each value says which cities
 * contributed, through which agreements, and how many devices reported — never a city's own
 * figures or devices, which stay behind the agreements.
 */
@ApiTags('indicators')
@ApiBearerAuth()
@Controller('indicators')
export class IndicatorsController {
  private readonly definitions: Map<string, IndicatorDefinition>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly influx: InfluxQueryClient,
    private readonly latest: LatestIndicatorValues,
  ) {
    this.definitions = new Map(loadIndicatorDefinitions(config.indicators.file, ruleCatalogue).map((d) => [d.id, d]));
  }

  /** Every indicator with its newest value and provenance (null before the first computation). */
  @Get()
  async list() {
    const latest = await this.latest.all();
    return { items: [...this.definitions.values()].map((d) => ({ ...d, latest: latest.get(d.id) ?? null })) };
  }

  @Get(':id')
  async get(@Param() { id }: IndicatorPath) {
    const definition = this.definition(id);
    return { ...definition, latest: (await this.latest.get(id)) ?? null };
  }

  /** The indicator's computed values in [from, to), oldest first, each with its provenance. */
  @Get(':id/values')
  async values(@Param() { id }: IndicatorPath, @Query() query: IndicatorValuesQuery) {
    this.definition(id);
    const toMs = query.to === undefined ? Date.now() : Date.parse(query.to);
    const fromMs = query.from === undefined ? toMs - DEFAULT_RANGE_MS : Date.parse(query.from);
    if (!(fromMs < toMs)) throw badRequest([{ field: 'from', message: 'from must be before to' }]);
    const values = toIndicatorValues(
      id,
      await this.influx.series(indicatorValuesQuery(id, fromMs, toMs, MAX_INDICATOR_VALUES), { epoch: 'ms' }),
    );
    return {
      indicator: id,
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      values,
      truncated: values.length === MAX_INDICATOR_VALUES,
    };
  }

  private definition(id: string): IndicatorDefinition {
    const definition = this.definitions.get(id);
    if (!definition) throw new NotFoundException(`indicator ${id} not found`);
    return definition;
  }
}
