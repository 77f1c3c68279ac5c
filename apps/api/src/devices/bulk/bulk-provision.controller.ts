import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Headers,
  HttpCode,
  Inject,
  PayloadTooLargeException,
  Post,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExtraModels, getSchemaPath } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import { DEFAULT_SCRYPT, DeviceExistsError, DeviceRegistry, type ScryptParams } from '@citypulse/registry';
import { AuditLog } from '@citypulse/alert-store';
import { IdNamespaces, scopedIdProblem } from '../id-namespace.js';
import type { Logger } from '@citypulse/observability';
import { AdminOnly, CurrentTenancy } from '../../auth/tenancy.decorator.js';
import type { Tenancy } from '../../auth/tenancy.js';
import { fieldsBadRequest, type FieldProblem } from '../../common/bad-request.js';
import { ProvisionDeviceDto } from '../provision-device.dto.js';
import { rowsFromCsv, rowsFromJson, validateRows, type BulkRow, type RowProblem } from './bulk-rows.js';
import { CsvSyntaxError, parseCsv } from './parse-csv.js';

/** At most this many bad rows are listed in a 400; `moreRows` counts the rest. */
const MAX_LISTED_ROWS = 1000;

/**
 * POST /devices/bulk: thousands of devices in one call, from a JSON array (`application/json`) or
 * a CSV file (`text/csv`, header `id,type,city,site[,name]`). All or nothing: every row is
 * validated first and any bad row answers 400 naming each bad row and field (an id that already
 * exists answers 409 naming the rows); only then are secrets hashed — with the cheaper bulk scrypt
 * cost, across libuv's threadpool — and every device written in one atomic Redis script. The
 * secrets are in this response only.
 */
@Controller('devices')
export class BulkProvisionController {
  private readonly scrypt: ScryptParams;
  private readonly maxDevices: number;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly audit: AuditLog,
    private readonly namespaces: IdNamespaces,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.scrypt = { ...DEFAULT_SCRYPT, N: config.provisioning.bulkSecretScryptN };
    this.maxDevices = config.provisioning.bulkMaxDevices;
  }

  @Post('bulk')
  @HttpCode(201)
  @AdminOnly()
  @ApiExtraModels(ProvisionDeviceDto)
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    description:
      'application/json: an array of devices or {"devices": [...]}; text/csv: a header line ' +
      '`id,type,city,site[,name]`, then one device per line.',
    schema: {
      oneOf: [
        { type: 'array', items: { $ref: getSchemaPath(ProvisionDeviceDto) } },
        {
          type: 'object',
          properties: { devices: { type: 'array', items: { $ref: getSchemaPath(ProvisionDeviceDto) } } },
        },
        { type: 'string' },
      ],
    },
  })
  async provisionMany(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @CurrentTenancy() tenancy: Tenancy,
  ) {
    const rows = this.rowsOf(body, contentType ?? '');
    if (!Array.isArray(rows)) throw badRequest(`${rows.field}: ${rows.problems.join('; ')}`, [rows], []);
    if (rows.length === 0)
      throw badRequest('no devices in the request', [{ field: 'body', problems: ['contains no devices'] }], []);
    if (rows.length > this.maxDevices)
      throw new PayloadTooLargeException(
        `at most ${this.maxDevices} devices per call (CP_BULK_MAX_DEVICES); this one has ${rows.length}`,
      );

    const { devices, problems } = validateRows(
      rows,
      (city) => tenancy.allows(city),
      (id, city) => scopedIdProblem(id, city, tenancy),
    );
    if (problems.length === 0) {
      const reserved = await this.namespaces.reserved(devices);
      for (const r of rows) {
        const id = (r.value as { id?: string }).id;
        const why = id === undefined ? undefined : reserved.get(id);
        if (why)
          problems.push({
            row: r.row,
            ...(r.line !== undefined ? { line: r.line } : {}),
            id: id!,
            fields: [{ field: 'id', problems: [why] }],
          });
      }
    }
    if (problems.length > 0)
      throw badRequest(`${problems.length} of ${rows.length} rows are invalid; nothing was created`, [], problems);

    const startedAt = Date.now();
    try {
      const issued = await this.registry.provisionMany(devices, this.scrypt);
      this.logger.info(
        { devices: issued.length, ms: Date.now() - startedAt, scryptN: this.scrypt.N },
        'bulk provisioning',
      );
      await this.audit.recordMany(
        issued.map(({ device }) => ({
          actor: tenancy.tokenName,
          action: 'device.provision',
          target: `device:${device.id}`,
          detail: `${device.type} in ${device.city}/${device.site} (bulk of ${issued.length})`,
        })),
      );
      return {
        created: issued.length,
        scrypt: this.scrypt,
        devices: issued.map(({ device, secret }) => ({ id: device.id, secret })),
      };
    } catch (err) {
      if (!(err instanceof DeviceExistsError)) throw err;
      const rowOf = new Map(rows.map((r) => [(r.value as { id?: string }).id, r]));
      const conflicts: RowProblem[] = err.deviceIds.map((id) => {
        const r = rowOf.get(id) as BulkRow;
        return {
          row: r.row,
          ...(r.line !== undefined ? { line: r.line } : {}),
          id,
          fields: [{ field: 'id', problems: [`device ${id} already exists`] }],
        };
      });
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message: `${conflicts.length} device id(s) already exist; nothing was created`,
        ...listed(conflicts),
      });
    }
  }

  private rowsOf(body: unknown, contentType: string): BulkRow[] | FieldProblem {
    const mediaType = contentType.split(';')[0].trim().toLowerCase();
    if (mediaType === 'text/csv') {
      if (typeof body !== 'string') return { field: 'body', problems: ['expected CSV text'] };
      try {
        return rowsFromCsv(parseCsv(body));
      } catch (err) {
        if (err instanceof CsvSyntaxError) return { field: `line ${err.line}`, problems: [err.message] };
        throw err;
      }
    }
    if (mediaType === 'application/json') return rowsFromJson(body);
    throw new UnsupportedMediaTypeException(
      'send application/json (an array of devices) or text/csv (header id,type,city,site[,name])',
    );
  }
}

function listed(problems: RowProblem[]): { rows: RowProblem[]; moreRows?: number; fields: FieldProblem[] } {
  const rows = problems.slice(0, MAX_LISTED_ROWS);
  // The usual `fields` list too, with each field named by its row: `rows[3].city`.
  const fields = rows.flatMap((r) =>
    r.fields.map((f) => ({ field: `rows[${r.row}].${f.field}`, problems: f.problems })),
  );
  return { rows, ...(problems.length > rows.length ? { moreRows: problems.length - rows.length } : {}), fields };
}

function badRequest(message: string, fields: FieldProblem[], problems: RowProblem[]): BadRequestException {
  const { fields: rowFields, ...rows } = listed(problems);
  return fieldsBadRequest([...fields, ...rowFields], { message, extra: rows });
}
