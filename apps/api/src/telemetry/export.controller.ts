import { BadGatewayException, Controller, Get, Inject, NotImplementedException, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import { AuditLog } from '@citypulse/alert-store';
import type { Logger } from '@citypulse/observability';
import { DeviceRegistry } from '@citypulse/registry';
import { InfluxQueryClient, streamQuery, type Series } from '@citypulse/storage';
import { CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { badRequest } from '../common/bad-request.js';
import { ExportQuery } from './export.dto.js';
import { rowFormat } from './export-format.js';
import { cellsOfSeries, exportColumns, exportCountStatement, exportSelectStatement, rowsCounted, type ExportSelection } from './export-query.js';
import { resolveExportSelection } from './export-selection.js';
import { pumpExport, type ExportOutcome } from './export-stream.js';

/**
 * Rows per chunk asked of InfluxDB: about 100 KB of JSON each, parsed and written one at a time.
 * A chunk is what survives a scavenge while the response drains; 5,000 rows cost more memory (+28 MB
 * against +20 MB over a 1 M-row export) for no measurable speed.
 */
const CHUNK_ROWS = 1000;

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
    summary: 'Raw points of one device type in a city as CSV or NDJSON, streamed (filters: site, device, fields, from/to).',
    description:
      'Columns: time (RFC 3339, as stored), city, site, device_id, device_type, then the fields. More rows than `limit` (default and maximum CP_EXPORT_MAX_ROWS) is a 400 naming `limit`. ' +
      'An export that stops short while streaming ends with a trailer line (CSV `#error,<code>,<message>`, NDJSON `{"error":…}`) and the transfer is aborted. ' +
      '501 when the storage answers no InfluxQL (VictoriaMetrics).',
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  @ApiOkResponse({ description: 'The rows, oldest first.' })
  @Get('export')
  async export(@Query() query: ExportQuery, @CurrentTenancy() tenancy: Tenancy, @Res() res: Response): Promise<void> {
    const limit = this.limitOf(query);
    const selection = await resolveExportSelection({ query, tenancy, lookupDevice: (id) => this.registry.get(id), nowMs: Date.now() });
    await this.requireInfluxQl();
    const matched = rowsCounted(await this.influx.series(exportCountStatement(selection)).catch(storageFailed));
    if (matched > limit) {
      throw badRequest([{ field: 'limit', message: `${matched} rows match this export; at most ${limit}: narrow from/to, site, device or fields${limit < this.maxRows ? ', or raise limit' : ''} (CP_EXPORT_MAX_ROWS=${this.maxRows})` }]);
    }

    const abort = new AbortController();
    res.once('close', () => abort.abort());
    const chunks = streamQuery(this.influx.queryRequest(exportSelectStatement(selection, limit + 1)), { chunkSize: CHUNK_ROWS, signal: abort.signal });
    // The first chunk before the status line: a query InfluxDB refuses is still an HTTP error.
    const first = await chunks.next().catch(storageFailed);
    await this.audit.record({ actor: tenancy.tokenName, action: 'telemetry.export', target: `telemetry:${selection.city}`, detail: describe(selection, query.format, matched) });

    const format = rowFormat(query.format);
    res.status(200);
    res.setHeader('content-type', format.contentType);
    res.setHeader('content-disposition', `attachment; filename="${fileName(selection, format.extension)}"`);
    res.setHeader('cache-control', 'no-store');
    const started = Date.now();
    const outcome = await pumpExport({ columns: exportColumns(selection), chunks: resumed(first, chunks), cellsOf: (s) => cellsOfSeries(selection, s), limit }, format, res);
    this.finish(res, outcome);
    this.logOutcome(tenancy, selection, outcome, Date.now() - started);
  }

  private get maxRows(): number {
    return this.config.telemetryExport.maxRows;
  }

  private limitOf(query: ExportQuery): number {
    if (query.limit !== undefined && query.limit > this.maxRows) {
      throw badRequest([{ field: 'limit', message: `limit must not be greater than ${this.maxRows} (CP_EXPORT_MAX_ROWS)` }]);
    }
    return query.limit ?? this.maxRows;
  }

  /**
   * VictoriaMetrics answers /ping without X-Influxdb-Version and every /query with its list of
   * databases, whatever the statement: exporting from it would send an empty file as if nothing
   * matched. Its own /api/v1/export serves its data instead.
   */
  private async requireInfluxQl(): Promise<void> {
    const { version } = await this.influx.ping().catch(storageFailed);
    if (!version) {
      throw new NotImplementedException(
        'telemetry export needs InfluxQL (InfluxDB 1.x, or the /query of 2.x/3.x); the storage answers /ping without X-Influxdb-Version, as VictoriaMetrics does, which answers no InfluxQL SELECT — use its /api/v1/export',
      );
    }
  }

  /** A complete export ends the response; a short one is cut off after its trailer, so the client sees an incomplete transfer. */
  private finish(res: Response, outcome: ExportOutcome): void {
    if (outcome.end.kind === 'complete') res.end();
    else res.destroy();
  }

  private logOutcome(tenancy: Tenancy, selection: ExportSelection, outcome: ExportOutcome, durationMs: number): void {
    const fields = { actor: tenancy.tokenName, city: selection.city, deviceType: selection.deviceType, end: outcome.end.kind, rows: outcome.rows, bytes: outcome.bytes, durationMs };
    if (outcome.end.kind === 'failed') this.log.warn({ ...fields, err: outcome.end.error }, 'telemetry export stopped: reading InfluxDB failed');
    else this.log.info(fields, 'telemetry export');
  }
}

/** The chunk already read, then the rest. */
async function* resumed(first: IteratorResult<Series[]>, rest: AsyncGenerator<Series[]>): AsyncGenerator<Series[]> {
  if (first.done) return;
  yield first.value;
  yield* rest;
}

function storageFailed(error: unknown): never {
  throw new BadGatewayException(`InfluxDB did not answer the export: ${error instanceof Error ? error.message : String(error)}`);
}

function describe(s: ExportSelection, format: string, matched: number): string {
  const filters = [s.site && `site ${s.site}`, s.deviceId && `device ${s.deviceId}`].filter(Boolean).join(', ');
  return `${format} of ${s.deviceType} in ${s.city}${filters ? ` (${filters})` : ''}, fields ${s.fields.join(',')}, ${new Date(s.fromMs).toISOString()} to ${new Date(s.toMs).toISOString()}, ${matched} rows counted`;
}

/** citypulse-beijing-env-sensor-20260501T000000Z-20260502T000000Z.csv: only [a-z0-9-TZ], nothing to escape. */
function fileName(s: ExportSelection, extension: string): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  const scope = [s.city, s.site, s.deviceId, s.deviceType].filter((part): part is string => part !== undefined).map((part) => part.replace(/[^A-Za-z0-9-]/g, '-'));
  return `citypulse-${scope.join('-')}-${stamp(s.fromMs)}-${stamp(s.toMs)}.${extension}`;
}
