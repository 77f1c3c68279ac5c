import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  HttpCode,
  Inject,
  PayloadTooLargeException,
  Post,
} from '@nestjs/common';
import { ApiBody, ApiExtraModels, getSchemaPath } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { AuditLog } from '@citypulse/alert-store';
import {
  CertificateExistsError,
  DeviceCertificateStore,
  normalizeFingerprint,
  type NewCertificate,
} from '@citypulse/certificates';
import { DeviceRegistry } from '@citypulse/registry';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import type { FieldProblem } from '../common/bad-request.js';
import { flatten } from '../common/validation.js';
import { certificateFacts } from './certificate-facts.js';
import { BulkCertificateRowDto } from './certificate.dto.js';
import { fieldProblem } from './certificate-errors.js';

interface RowProblem {
  row: number;
  deviceId?: string;
  fields: FieldProblem[];
}

/**
 * POST /devices/certificates/bulk: externally issued certificates of many devices in one call,
 * all or nothing like POST /devices/bulk. Every row is checked first — its fields, its device
 * (a device of another city is "not found", like a missing one), its certificate — and any bad row
 * answers 400 naming each row and field; a certificate already registered answers 409 naming the
 * rows. Only then is everything stored, in one atomic Redis script.
 */
@Controller('devices')
export class BulkCertificatesController {
  private readonly maxRows: number;

  constructor(
    private readonly registry: DeviceRegistry,
    private readonly store: DeviceCertificateStore,
    private readonly audit: AuditLog,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxRows = config.provisioning.bulkMaxDevices;
  }

  @Post('certificates/bulk')
  @HttpCode(201)
  @AdminOnly()
  @ApiExtraModels(BulkCertificateRowDto)
  @ApiBody({
    description: 'An array of {deviceId, certificate (PEM) or fingerprint (SHA-256)}, or {"certificates": [...]}.',
    schema: {
      oneOf: [
        { type: 'array', items: { $ref: getSchemaPath(BulkCertificateRowDto) } },
        {
          type: 'object',
          properties: { certificates: { type: 'array', items: { $ref: getSchemaPath(BulkCertificateRowDto) } } },
        },
      ],
    },
  })
  async registerMany(@Body() body: unknown, @CurrentTenancy() tenancy: Tenancy) {
    const list = Array.isArray(body) ? body : (body as { certificates?: unknown } | null)?.certificates;
    if (!Array.isArray(list))
      throw fieldProblem('body', 'must be a JSON array of certificates, or {"certificates": [...]}');
    if (list.length === 0) throw fieldProblem('body', 'contains no certificates');
    if (list.length > this.maxRows)
      throw new PayloadTooLargeException(
        `at most ${this.maxRows} certificates per call (CP_BULK_MAX_DEVICES); this one has ${list.length}`,
      );

    const { certificates, problems } = await this.validate(list, tenancy);
    if (problems.length > 0)
      throw rowsRefused(400, `${problems.length} of ${list.length} rows are invalid; nothing was registered`, problems);
    try {
      const stored = await this.store.addMany(certificates);
      await this.audit.record({
        actor: tenancy.tokenName,
        action: 'certificate.bulk-register',
        target: 'devices:bulk',
        detail: `${stored.length} certificates: ${[...new Set(stored.map((c) => c.deviceId))].slice(0, 50).join(', ')}`,
      });
      return { registered: stored.length, items: stored };
    } catch (err) {
      if (!(err instanceof CertificateExistsError)) throw err;
      const taken = new Set(err.fingerprints);
      const conflicts = certificates.flatMap((c, i) =>
        taken.has(c.fingerprint)
          ? [
              {
                row: i + 1,
                deviceId: c.deviceId,
                fields: [{ field: 'certificate', problems: ['this certificate is already registered'] }],
              },
            ]
          : [],
      );
      throw rowsRefused(
        409,
        `${conflicts.length} certificate(s) already registered; nothing was registered`,
        conflicts,
      );
    }
  }

  private async validate(
    list: unknown[],
    tenancy: Tenancy,
  ): Promise<{ certificates: NewCertificate[]; problems: RowProblem[] }> {
    const rows = list.map((value) => plainToInstance(BulkCertificateRowDto, value ?? {}));
    const devices = await this.registry.getMany(rows.map((r) => (typeof r.deviceId === 'string' ? r.deviceId : '')));
    const certificates: NewCertificate[] = [];
    const problems: RowProblem[] = [];
    const firstRowOf = new Map<string, number>();
    rows.forEach((dto, i) => {
      const row = i + 1;
      if (typeof list[i] !== 'object' || list[i] === null || Array.isArray(list[i])) {
        problems.push({
          row,
          fields: [{ field: 'row', problems: ['must be an object with deviceId and certificate or fingerprint'] }],
        });
        return;
      }
      const fields = flatten(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }));
      const device = devices[i];
      if (!fields.some((f) => f.field === 'deviceId') && (!device || !tenancy.allows(device.city)))
        fields.push({ field: 'deviceId', problems: [`device ${dto.deviceId} not found`] });
      if (dto.certificate !== undefined && dto.fingerprint !== undefined)
        fields.push({ field: 'fingerprint', problems: ['send either certificate or fingerprint, not both'] });
      let facts: Omit<NewCertificate, 'deviceId' | 'city' | 'source'> | undefined;
      if (fields.length === 0 && dto.certificate !== undefined) {
        const checked = certificateFacts(dto.certificate);
        if ('problem' in checked) fields.push({ field: 'certificate', problems: [checked.problem] });
        else facts = checked.facts;
      } else if (fields.length === 0) {
        facts = { fingerprint: normalizeFingerprint(dto.fingerprint as string) as string };
      }
      if (facts) {
        const first = firstRowOf.get(facts.fingerprint);
        if (first !== undefined)
          fields.push({
            field: dto.certificate !== undefined ? 'certificate' : 'fingerprint',
            problems: [`the same certificate as row ${first}`],
          });
        else firstRowOf.set(facts.fingerprint, row);
      }
      if (fields.length > 0 || !facts || !device)
        problems.push({ row, ...(typeof dto.deviceId === 'string' ? { deviceId: dto.deviceId } : {}), fields });
      else certificates.push({ ...facts, deviceId: device.id, city: device.city, source: 'registered' });
    });
    return { certificates: problems.length === 0 ? certificates : [], problems };
  }
}

/** At most this many bad rows are listed; `moreRows` counts the rest. */
const MAX_LISTED_ROWS = 1000;

function rowsRefused(status: 400 | 409, message: string, problems: RowProblem[]) {
  const rows = problems.slice(0, MAX_LISTED_ROWS);
  const fields = rows.flatMap((r) =>
    r.fields.map((f) => ({ field: `rows[${r.row}].${f.field}`, problems: f.problems })),
  );
  const body = {
    statusCode: status,
    error: status === 400 ? 'Bad Request' : 'Conflict',
    message,
    rows,
    ...(problems.length > rows.length ? { moreRows: problems.length - rows.length } : {}),
    fields,
  };
  return status === 400 ? new BadRequestException(body) : new ConflictException(body);
}
