import { Controller, Get, NotFoundException, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DeviceRegistry, type DeviceRecord } from '@citypulse/registry';
import { getDeviceType } from '@citypulse/devices';
import { InfluxQueryClient } from '@citypulse/storage';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { resolveWindow, type TimeWindow } from './interval.js';
import { chooseResolution, type ResolutionChoice } from './resolution.js';
import { RollupCatalog } from './rollup-catalog.js';
import { numericFieldsOfMeasurement, pickFields } from './numeric-fields.js';
import {
  cityDeviceCountQuery,
  cityStatsQuery,
  deviceHistoryQuery,
  toCityIntervals,
  toFieldSeries,
} from './telemetry-queries.js';
import {
  CityAggregateQuery,
  CityParam,
  DeviceIdParam,
  HistoryQuery,
  type TimeWindowQuery,
} from './telemetry-queries.dto.js';

const RESOLUTION_DOC =
  '`resolution` says what was read: `raw` readings for ranges up to 6 h (within the raw retention), else the ' +
  'coarsest rollup ' +
  '(`1h`, `1m`) whose interval divides `every` — then `from`/`to` are widened to whole rollup intervals. Raw, ' +
  'with `resolutionNote`, when that rollup does not exist on the server.';

@ApiTags('telemetry')
@ApiBearerAuth()
@Controller('telemetry')
export class TelemetryController {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly influx: InfluxQueryClient,
    private readonly rollups: RollupCatalog,
  ) {}

  @ApiOperation({ summary: 'The newest stored reading of a device, read back from InfluxDB.' })
  @Get(':deviceId/latest')
  async latest(@Param() { deviceId }: DeviceIdParam, @CurrentTenancy() tenancy: Tenancy) {
    const device = await this.visibleDevice(deviceId, tenancy);
    const measurement = measurementOf(device);
    const reading = await this.influx.latest(measurement, deviceId);
    if (!reading) throw new NotFoundException(`no stored reading for device ${deviceId} yet`);
    // One measurement holds a whole family; SELECT * returns the other types' fields as null.
    const present = Object.fromEntries(Object.entries(reading).filter(([, v]) => v !== null));
    return { deviceId, measurement, reading: present };
  }

  @ApiOperation({
    summary: 'A device’s numeric fields downsampled to mean/min/max per interval (null for an interval without data).',
    description: RESOLUTION_DOC,
  })
  @Get(':deviceId/history')
  async history(
    @Param() { deviceId }: DeviceIdParam,
    @Query() query: HistoryQuery,
    @CurrentTenancy() tenancy: Tenancy,
  ) {
    const requested = windowOf(query);
    const device = await this.visibleDevice(deviceId, tenancy);
    const type = getDeviceType(device.type);
    const picked = type ? pickFields(type, query.fields) : { fields: [] };
    if ('unknown' in picked) {
      throw badRequest([
        { field: 'fields', message: `not numeric fields of ${device.type}: ${picked.unknown.join(', ')}` },
      ]);
    }
    const measurement = measurementOf(device);
    const choice = await this.resolutionFor(requested);
    const { window, rollup } = choice;
    const series =
      picked.fields.length === 0
        ? []
        : await this.influx.series(deviceHistoryQuery(measurement, deviceId, picked.fields, window, rollup), {
            epoch: 'ms',
          });
    return { deviceId, measurement, ...windowEcho(choice), series: toFieldSeries(picked.fields, series) };
  }

  @ApiOperation({
    summary: 'One field across a city’s devices: mean/min/max and the number of reporting devices per interval.',
    description: RESOLUTION_DOC,
  })
  @Get('cities/:city/aggregate')
  async cityAggregate(
    @Param() { city }: CityParam,
    @Query() query: CityAggregateQuery,
    @CurrentTenancy() tenancy: Tenancy,
  ) {
    if (!numericFieldsOfMeasurement(query.measurement).has(query.field)) {
      throw badRequest([
        { field: 'field', message: `${query.field} is not a numeric field of ${query.measurement} devices` },
      ]);
    }
    const requested = windowOf(query);
    // Another city is "not found" for a city-scoped token, as its devices are.
    if (!tenancy.allows(city)) throw new NotFoundException(`city ${city} not found`);
    const choice = await this.resolutionFor(requested);
    const { window, rollup } = choice;
    const [stats, counts] = await Promise.all([
      this.influx.series(cityStatsQuery(query.measurement, query.field, city, window, rollup), { epoch: 'ms' }),
      this.influx.series(cityDeviceCountQuery(query.measurement, query.field, city, window, rollup), { epoch: 'ms' }),
    ]);
    return {
      city,
      measurement: query.measurement,
      field: query.field,
      ...windowEcho(choice),
      points: toCityIntervals(stats, counts),
    };
  }

  /** Raw readings or a rollup, by the range and interval asked (resolution.ts has the rule). */
  private async resolutionFor(window: TimeWindow): Promise<ResolutionChoice> {
    return chooseResolution(window, await this.rollups.onServer(), Date.now());
  }

  private async visibleDevice(deviceId: string, tenancy: Tenancy): Promise<DeviceRecord> {
    const device = await this.registry.get(deviceId);
    // Another city's device is "not found" for a city-scoped token.
    if (!device || !tenancy.allows(device.city)) throw new NotFoundException(`device ${deviceId} not found`);
    return device;
  }
}

function measurementOf(device: DeviceRecord): string {
  return getDeviceType(device.type)?.measurement ?? device.type;
}

/** The bounded window of a query, or a 400 naming from or every. */
function windowOf(query: TimeWindowQuery): TimeWindow {
  const window = resolveWindow(query, Date.now());
  if ('field' in window) throw badRequest([window]);
  return window;
}

/**
 * The window answered (a rollup's is whole rollup intervals) and the resolution read, with why raw when rollups were
 * missing.
 */
function windowEcho({ window, resolution, note }: ResolutionChoice) {
  return {
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
    every: window.every,
    resolution,
    ...(note && { resolutionNote: note }),
  };
}
