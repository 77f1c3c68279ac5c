import { Controller, Get, Inject, NotFoundException, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { AuditLog } from '@citypulse/alert-store';
import { InfluxQueryClient, type Series } from '@citypulse/storage';
import { DistrictMap } from '@citypulse/registry';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import type { CellValue } from '../telemetry/export-format.js';
import {
  cellsOfSeries,
  exportColumns,
  exportCountStatement,
  exportSelectStatement,
  rowsCounted,
} from '../telemetry/export-query.js';
import {
  fileNamePart,
  fileStamp,
  requireInfluxQl,
  sendExport,
  storageFailed,
  type ExportPlan,
} from '../telemetry/export-response.js';
import { SharedExportQuery, SharePath } from './share.dto.js';
import { ShareStore, isTotals, type ShareAgreement, type TotalsGranularity } from './share-store.js';
import { readingCity } from './share-access.js';
import { sharedSelection, type SharedSelection } from './share-scope.js';
import { sharedWindow, type SharedWindow } from './shared-window.js';
import {
  EXPORT_STATS,
  SITE_TOTAL_STATS,
  sharedDistrictTotalsQuery,
  sharedSiteTotalsQuery,
  sharedStatsExportQuery,
} from './shared-telemetry-queries.js';
import { districtSelections } from './shared-totals.js';

/**
 * GET /shares/:id/export: what an accepted share gives, as a file, through the telemetry export's
 * streamer — a raw share's readings (the share's device types, fields, sites and data range only),
 * or for an aggregate-only share mean/min/max per whole interval of at least its minimum, never a
 * raw reading. The file and its headers name the source city and the share; every export is in
 * the share's audit.
 */
@ApiTags('sharing')
@ApiBearerAuth()
@Controller('shares')
export class SharedExportController {
  constructor(
    private readonly shares: ShareStore,
    private readonly audit: AuditLog,
    private readonly influx: InfluxQueryClient,
    private readonly districts: DistrictMap,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ApiOperation({
    summary:
      'What a share gives, as CSV or NDJSON: raw readings (raw shares), mean/min/max per interval ' +
      '(aggregate shares) or per-site / per-district totals (totals shares), streamed.',
    description:
      'Raw columns: time, city (the source city), site, device_id, device_type, then the fields. Aggregate ' +
      'columns: time, city, device_type, then <field>_mean, <field>_min, <field>_max per field, whole ' +
      'intervals with readings only. Totals columns: time, city, site (site-totals) or district ' +
      '(district-totals), device_type, then <field>_sum, <field>_mean, <field>_devices per field, groups of at ' +
      'least the share’s minDevices only (district-totals: per district of PUT /cities/:city/districts, by ' +
      'district then time). ' +
      'Headers X-Citypulse-Source-City and X-Citypulse-Share name the source. More rows than `limit` (default ' +
      'and maximum CP_EXPORT_MAX_ROWS) is a 400 naming `limit`.',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({ description: 'The rows, oldest first.' })
  @Get(':id/export')
  async export(
    @Param() { id }: SharePath,
    @Query() query: SharedExportQuery,
    @CurrentTenancy() tenancy: Tenancy,
    @Res() res: Response,
  ): Promise<void> {
    const share = await this.shares.get(id);
    const city = share && readingCity(share, tenancy, Date.now());
    if (!share || city === undefined) throw new NotFoundException(`share ${id} not found`);
    const limit = this.limitOf(query);
    const selection = sharedSelection(share, {
      deviceType: query.deviceType,
      ...(query.fields !== undefined && { fields: query.fields.split(',') }),
      ...(query.site !== undefined && { site: query.site }),
    });
    if ('message' in selection) throw badRequest([selection]);
    const every =
      query.every ?? (share.granularity.kind === 'raw' ? 'raw' : `${share.granularity.minIntervalMinutes}m`);
    const window = sharedWindow(share, { from: query.from, to: query.to, every }, Date.now());
    if ('field' in window) throw badRequest([window]);
    await requireInfluxQl(this.influx);

    const rows = window.raw
      ? rowsCounted(
          await this.influx.series(exportCountStatement(rawSelection(selection, window))).catch(storageFailed),
        )
      : Math.round((window.toMs - window.fromMs) / window.everyMs);
    if (rows > limit)
      throw badRequest([
        {
          field: 'limit',
          message:
            `${rows} rows match this export; at most ${limit}: narrow from/to, site or fields, or use a longer ` +
            `every`,
        },
      ]);

    const g = share.granularity;
    const plan = {
      ...(window.raw
        ? rawPlan(selection, window, limit)
        : isTotals(g)
          ? totalsPlan(selection, window, limit, g.minDevices, await this.groupsOf(g, selection))
          : aggregatePlan(selection, window, limit)),
      format: query.format,
      fileStem: fileStemOf(share, selection, window),
    };
    res.setHeader('x-citypulse-source-city', share.fromCity);
    res.setHeader('x-citypulse-share', share.id);
    const range = `${new Date(window.fromMs).toISOString()} – ${new Date(window.toMs).toISOString()}`;
    const site = query.site ? ` site ${query.site}` : '';
    await sendExport(this.influx, plan, res, () =>
      this.audit.record({
        actor: tenancy.tokenName,
        action: 'share.export',
        target: `share:${id}`,
        detail:
          `${city} exported ${query.format} ` +
          `of ${selection.deviceType}.${selection.fields.join(',')}${site} ${range} ` +
          `every ${window.raw ? 'raw' : window.every}, ${rows} rows`,
      }),
    );
  }

  /** A totals share's groups: its sites (one statement, a series per site), or one statement per district. */
  private async groupsOf(g: TotalsGranularity, selection: SharedSelection): Promise<TotalsGroups> {
    if (g.kind === 'site-totals') return { by: 'site', statement: (w) => sharedSiteTotalsQuery(selection, w) };
    const parts = districtSelections(selection, (await this.districts.get(selection.city)).districts);
    return {
      by: 'district',
      statement: (w) =>
        parts.map(({ district, selection: part }) => ({
          statement: sharedDistrictTotalsQuery(part, w),
          tags: { district },
        })),
    };
  }

  private limitOf(query: SharedExportQuery): number {
    const max = this.config.telemetryExport.maxRows;
    if (query.limit !== undefined && query.limit > max)
      throw badRequest([{ field: 'limit', message: `limit must not be greater than ${max} (CP_EXPORT_MAX_ROWS)` }]);
    return query.limit ?? max;
  }
}

type RawWindow = Extract<SharedWindow, { raw: true }>;
type AggregateWindow = Extract<SharedWindow, { raw: false }>;

const rawSelection = (s: SharedSelection, w: RawWindow) => ({
  city: s.city,
  deviceType: s.deviceType,
  measurement: s.measurement,
  fields: s.fields,
  fromMs: w.fromMs,
  toMs: w.toMs,
  ...(s.sites && { sites: s.sites }),
});

/** A raw share's readings: the telemetry export's own statement and columns, confined to the agreement. */
function rawPlan(s: SharedSelection, w: RawWindow, limit: number): Omit<ExportPlan, 'format' | 'fileStem'> {
  const selection = rawSelection(s, w);
  return {
    statement: exportSelectStatement(selection, limit + 1),
    columns: exportColumns(selection),
    cellsOf: (series: Series) => cellsOfSeries(selection, series),
    limit,
  };
}

/** An aggregate share's intervals: mean/min/max per field, computed by InfluxDB — the raw readings never leave it. */
function aggregatePlan(s: SharedSelection, w: AggregateWindow, limit: number): Omit<ExportPlan, 'format' | 'fileStem'> {
  const stats = s.fields.flatMap((field) => EXPORT_STATS.map((stat) => `${field}_${stat}`));
  const columns = ['time', 'city', 'device_type', ...stats];
  return {
    statement: sharedStatsExportQuery(s, w),
    columns,
    limit,
    *cellsOf(series: Series) {
      const at = stats.map((name) => series.columns.indexOf(name));
      const time = series.columns.indexOf('time');
      for (const values of series.values ?? [])
        yield [
          values[time] as CellValue,
          s.city,
          s.deviceType,
          ...at.map((i) => (i < 0 ? null : (values[i] as CellValue))),
        ];
    },
  };
}

/** What a totals share's rows are per: the statement(s) asking InfluxDB, and the tag naming each series' group. */
interface TotalsGroups {
  by: 'site' | 'district';
  statement: (w: AggregateWindow) => ExportPlan['statement'];
}

/**
 * A totals share's rows: per site (district) and interval, each field's sum/mean over its devices and how many
 * reported, computed by InfluxDB; a field's cells are empty where fewer than minDevices devices reported it, and a row
 * with no field left is not sent. No device id column.
 */
function totalsPlan(
  s: SharedSelection,
  w: AggregateWindow,
  limit: number,
  minDevices: number,
  groups: TotalsGroups,
): Omit<ExportPlan, 'format' | 'fileStem'> {
  return {
    statement: groups.statement(w),
    columns: [
      'time',
      'city',
      groups.by,
      'device_type',
      ...s.fields.flatMap((field) => SITE_TOTAL_STATS.map((stat) => `${field}_${stat}`)),
    ],
    limit,
    *cellsOf(series: Series) {
      const time = series.columns.indexOf('time');
      for (const values of series.values ?? []) {
        const cell = (name: string) =>
          series.columns.includes(name) ? (values[series.columns.indexOf(name)] as CellValue) : null;
        const perField = s.fields.map((field) => {
          const devices = cell(`${field}_devices`);
          return typeof devices === 'number' && devices >= minDevices
            ? SITE_TOTAL_STATS.map((stat) => cell(`${field}_${stat}`))
            : SITE_TOTAL_STATS.map(() => null);
        });
        if (perField.every((cells) => cells[0] === null)) continue;
        yield [values[time] as CellValue, s.city, series.tags?.[groups.by] ?? null, s.deviceType, ...perField.flat()];
      }
    },
  };
}

/** citypulse-share-sh-0123456789ab-tianjin-electricity-meter-<from>-<to>. */
function fileStemOf(share: ShareAgreement, s: SharedSelection, w: SharedWindow): string {
  const what = [s.city, s.deviceType].map(fileNamePart).join('-');
  return `citypulse-share-${share.id}-${what}-${fileStamp(w.fromMs)}-${fileStamp(w.toMs)}`;
}
