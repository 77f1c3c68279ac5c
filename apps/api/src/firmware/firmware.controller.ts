import {
  ConflictException,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBody, ApiConsumes, ApiHeader } from '@nestjs/swagger';
import { AuditLog } from '@citypulse/alert-store';
import { FirmwareCatalogue, type FirmwareBlobStore, type FirmwareImage } from '@citypulse/firmware';
import { AdminOnly, CurrentTenancy } from '../auth/tenancy.decorator.js';
import { ChecksOwnToken } from '../auth/public.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';
import { FirmwareDownload } from './firmware-download.js';
import { FIRMWARE_BLOBS } from './firmware-providers.js';
import { FirmwarePath, ListFirmwareQuery, UploadFirmwareQuery } from './firmware.dto.js';
import { FirmwareUpload } from './firmware-upload.js';

/**
 * The firmware catalogue: images per device type and version, each belonging to one city (the
 * tenant, as devices do: another city's image is 404). Uploads are streamed to the blob store and
 * hashed by the server; a detached signature is checked when a public key is configured. An image
 * is deleted only while no update job or command uses it. Every change is audited.
 */
@Controller('firmware')
export class FirmwareController {
  constructor(
    private readonly catalogue: FirmwareCatalogue,
    private readonly upload: FirmwareUpload,
    private readonly download: FirmwareDownload,
    @Inject(FIRMWARE_BLOBS) private readonly blobs: FirmwareBlobStore,
    private readonly audit: AuditLog,
  ) {}

  /** The body is the image (application/octet-stream); `X-Firmware-Signature`: its detached signature in base64. */
  @Post()
  @AdminOnly()
  @ApiConsumes('application/octet-stream')
  @ApiBody({ description: 'The image, at most CP_FIRMWARE_MAX_BYTES', schema: { type: 'string', format: 'binary' } })
  @ApiHeader({
    name: 'X-Firmware-Signature',
    required: false,
    description:
      'Detached signature in base64, checked against CP_FIRMWARE_SIGNING_PUBLIC_KEY (README, Firmware updates)',
  })
  async create(
    @Query() query: UploadFirmwareQuery,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @CurrentTenancy() tenancy: Tenancy,
  ) {
    try {
      if (!tenancy.allows(query.city)) throw outsideTenancy(query.city);
      const image = await this.upload.receive(request, query, tenancy.tokenName);
      await this.audit.record({
        actor: tenancy.tokenName,
        action: 'firmware.upload',
        target: `firmware:${image.id}`,
        detail:
          `${image.deviceType} ${image.version} for ${image.city}, ${image.size} bytes, ` +
          `sha256 ${image.sha256}${image.signed ? ', signed' : ''}`,
      });
      return image;
    } catch (err) {
      // Refused before the body was read to its end: the rest must not be taken for the next request.
      if (!request.complete) response.setHeader('connection', 'close');
      throw err;
    }
  }

  /** Images in the caller's cities, newest first. */
  @Get()
  async list(@Query() query: ListFirmwareQuery, @CurrentTenancy() tenancy: Tenancy) {
    const items = await this.catalogue.list({ ...query, withinCities: tenancy.withinCities });
    return { items, total: items.length };
  }

  @Get(':id')
  async get(@Param() { id }: FirmwarePath, @CurrentTenancy() tenancy: Tenancy) {
    const image = await this.visible(id, tenancy);
    return { ...image, inUseBy: await this.catalogue.holders(id) };
  }

  /** Devices fetch with their command's download token, operators with an API token (checked in FirmwareDownload). */
  @Get(':id/download')
  @ChecksOwnToken()
  async fetch(@Param() { id }: FirmwarePath, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.download.serve(id, request, response);
  }

  /** Deletes the image unless an update job or a pending firmware-update command uses it (409 naming them). */
  @Delete(':id')
  @HttpCode(204)
  @AdminOnly()
  async remove(@Param() { id }: FirmwarePath, @CurrentTenancy() tenancy: Tenancy) {
    const image = await this.visible(id, tenancy);
    const removed = await this.catalogue.remove(image);
    if (removed.outcome === 'not-found') throw notFound(id);
    if (removed.outcome === 'in-use') {
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        message: `firmware image ${id} is in use by ${removed.holders.join(', ')}`,
        inUseBy: removed.holders,
      });
    }
    await this.blobs.remove(id);
    await this.audit.record({
      actor: tenancy.tokenName,
      action: 'firmware.delete',
      target: `firmware:${id}`,
      detail: `${image.deviceType} ${image.version} for ${image.city}`,
    });
  }

  private async visible(id: string, tenancy: Tenancy): Promise<FirmwareImage> {
    const image = await this.catalogue.get(id);
    if (!image || !tenancy.allows(image.city)) throw notFound(id);
    return image;
  }
}

const notFound = (id: string) => new NotFoundException(`firmware image ${id} not found`);

function outsideTenancy(city: string): ForbiddenException {
  const message = `this token is not allowed to manage firmware in city ${city}`;
  return new ForbiddenException({
    statusCode: 403,
    error: 'Forbidden',
    message,
    fields: [{ field: 'city', problems: [message] }],
  });
}
