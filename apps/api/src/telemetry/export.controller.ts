import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import { AuditLog } from '@citypulse/alert-store';
import type { Logger } from '@citypulse/observability';
import { DeviceRegistry } from '@citypulse/registry';
import { InfluxQueryClient, type Series } from '@citypulse/storage';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { ExportQuery } from './export.dto.js';
import {
  cellsOfSeries,
  exportColumns,
  exportCountStatement,
  exportSelectStatement,
  rowsCounted,
  type ExportSelection,
} from './export-query.js';
import { resolveExportSelection } from './export-selection.js';
import type { ExportOutcome } from './export-stream.js';
import { fileNamePart, fileStamp, requireInfluxQl, sendExport, storageFailed } from './export-response.js';

/**
 * GET /telemetry/export: one device type's raw points in one city as CSV or NDJSON, streamed from
 * InfluxDB's chunked /query to the client at the client's pace (export-stream.ts), in constant
 * memory. More rows than the limit is a 400 naming `limit` before anything is sent; an export that
 * still stops short (rows arriving after the count, InfluxDB failing) ends with a trailer line
 * saying why and an aborted transfer, so it is never taken for a complete file.
 */
@ApiTags('telemetry')
@ApiBearerAuth()
@Controller('telemetry')
export class TelemetryExportController {
  private readonly log: Logger;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly influx: InfluxQueryClient,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'telemetry-export' });
  }

  @ApiOperation({
    summary:
      'Raw points of one device type in a city as CSV or NDJSON, streamed (filters: site, device, fields, from/to).',
    description:
      'Columns: time (RFC 3339, as stored), city, site, device_id, device_type, then the fields. More rows ' +
      'than `limit` (default and maximum CP_EXPORT_MAX_ROWS) is a 400 naming `limit`. ' +
      'An export that stops short while streaming ends with a trailer line (CSV `#error,<code>,<message>`, ' +
      'NDJSON `{"error":…}`) and the transfer is aborted. ' +
      '501 when the storage answers no InfluxQL (VictoriaMetrics).',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({ description: 'The rows, oldest first.' })
  @Get('export')
  async export(@Query() query: ExportQuery, @CurrentTenancy() tenancy: Tenancy, @Res() res: Response): Promise<void> {
    const limit = this.limitOf(query);
    const selection = await resolveExportSelection({
      query,
      tenancy,
      lookupDevice: (id) => this.registry.get(id),
      nowMs: Date.now(),
    });
    await requireInfluxQl(this.influx);
    const matched = rowsCounted(await this.influx.series(exportCountStatement(selection)).catch(storageFailed));
    if (matched > limit) {
      throw badRequest([
        {
          field: 'limit',
          message:
            `${matched} rows match this export; at most ${limit}: narrow from/to, site, device or ` +
            `fields${limit < this.maxRows ? ', or raise limit' : ''} (CP_EXPORT_MAX_ROWS=${this.maxRows})`,
        },
      ]);
    }

    const started = Date.now();
    const plan = {
      statement: exportSelectStatement(selection, limit + 1),
      columns: exportColumns(selection),
      cellsOf: (s: Series) => cellsOfSeries(selection, s),
      limit,
      format: query.format,
      fileStem: fileStem(selection),
    };
    const outcome = await sendExport(this.influx, plan, res, () =>
      this.audit.record({
        actor: tenancy.tokenName,
        action: 'telemetry.export',
        target: `telemetry:${selection.city}`,
        detail: describe(selection, query.format, matched),
      }),
    );
    this.logOutcome(tenancy, selection, outcome, Date.now() - started);
  }

  private get maxRows(): number {
    return this.config.telemetryExport.maxRows;
  }

  private limitOf(query: ExportQuery): number {
    if (query.limit !== undefined && query.limit > this.maxRows) {
      throw badRequest([
        { field: 'limit', message: `limit must not be greater than ${this.maxRows} (CP_EXPORT_MAX_ROWS)` },
      ]);
    }
    return query.limit ?? this.maxRows;
  }

  private logOutcome(tenancy: Tenancy, selection: ExportSelection, outcome: ExportOutcome, durationMs: number): void {
    const fields = {
      actor: tenancy.tokenName,
      city: selection.city,
      deviceType: selection.deviceType,
      end: outcome.end.kind,
      rows: outcome.rows,
      bytes: outcome.bytes,
      durationMs,
    };
    if (outcome.end.kind === 'failed')
      this.log.warn({ ...fields, err: outcome.end.error }, 'telemetry export stopped: reading InfluxDB failed');
    else this.log.info(fields, 'telemetry export');
  }
}

function describe(s: ExportSelection, format: string, matched: number): string {
  const filters = [s.site && `site ${s.site}`, s.deviceId && `device ${s.deviceId}`].filter(Boolean).join(', ');
  return (
    `${format} of ${s.deviceType} in ${s.city}${filters ? ` (${filters})` : ''}, ` +
    `fields ${s.fields.join(',')}, ${new Date(s.fromMs).toISOString()} ` +
    `to ${new Date(s.toMs).toISOString()}, ${matched} rows counted`
  );
}

/** citypulse-beijing-env-sensor-20260501T000000Z-20260502T000000Z: only [a-z0-9-TZ], nothing to escape. */
function fileStem(s: ExportSelection): string {
  const scope = [s.city, s.site, s.deviceId, s.deviceType]
    .filter((part): part is string => part !== undefined)
    .map(fileNamePart);
  return `citypulse-${scope.join('-')}-${fileStamp(s.fromMs)}-${fileStamp(s.toMs)}`;
}
