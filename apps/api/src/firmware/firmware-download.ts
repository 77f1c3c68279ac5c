import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DeviceRegistry } from '@citypulse/registry';
import {
  DownloadTokens,
  FirmwareCatalogue,
  parseRange,
  type FirmwareBlobStore,
  type FirmwareImage,
} from '@citypulse/firmware';
import { bearerToken } from '../auth/request-token.js';
import { TokenVerifier } from '../auth/token-verifier.js';
import { FIRMWARE_BLOBS } from './firmware-providers.js';

/**
 * GET /firmware/:id/download for devices and operators. Two kinds of bearer token open it: the
 * download token of a firmware-update command (this image, a device that still exists, is not
 * revoked and is in the image's city) or an API token whose cities include the image's. Byte
 * ranges let a device resume where its connection broke; the ETag is the image's SHA-256.
 */
@Injectable()
export class FirmwareDownload {
  constructor(
    private readonly catalogue: FirmwareCatalogue,
    @Inject(FIRMWARE_BLOBS) private readonly blobs: FirmwareBlobStore,
    private readonly tokens: DownloadTokens,
    private readonly verifier: TokenVerifier,
    private readonly registry: DeviceRegistry,
  ) {}

  async serve(id: string, request: Request, response: Response): Promise<void> {
    const image = await this.authorised(id, bearerToken(request));
    const etag = `"${image.sha256}"`;
    // If-Range: resume only the same image; a changed one is sent whole.
    const ifRange = request.headers['if-range'];
    const asked =
      ifRange === undefined || ifRange === etag
        ? parseRange(request.headers.range, image.size)
        : ({ kind: 'whole' } as const);
    response.setHeader('accept-ranges', 'bytes');
    response.setHeader('etag', etag);
    response.setHeader('content-type', 'application/octet-stream');
    response.setHeader('cache-control', 'private, no-store');
    if (asked.kind === 'unsatisfiable') {
      response.status(416).setHeader('content-range', `bytes */${image.size}`);
      response.end();
      return;
    }
    const range = asked.kind === 'partial' ? asked.range : { start: 0, end: image.size - 1 };
    const body = await this.blobs.read(image.id, range);
    if (asked.kind === 'partial')
      response.status(206).setHeader('content-range', `bytes ${range.start}-${range.end}/${image.size}`);
    else response.status(200);
    response.setHeader('content-length', String(range.end - range.start + 1));
    // A client that goes away mid-body ends the pipeline with an error: nothing to answer then.
    await pipeline(body, response).catch(() => undefined);
  }

  private async authorised(id: string, token: string | undefined): Promise<FirmwareImage> {
    if (!token)
      throw new UnauthorizedException(
        'a bearer token is required: the download token of a firmware-update command, or an API token',
      );
    if (DownloadTokens.looksLikeOne(token)) {
      const grant = this.tokens.verify(token);
      if (!grant || grant.imageId !== id)
        throw new UnauthorizedException('invalid or expired download token for this image');
      const [image, device] = await Promise.all([this.catalogue.get(id), this.registry.get(grant.deviceId)]);
      if (!image || !device || device.revoked || device.city !== image.city)
        throw new UnauthorizedException('invalid or expired download token for this image');
      return image;
    }
    const verified = await this.verifier.verify(token);
    if (!verified) throw new UnauthorizedException('invalid token');
    const image = await this.catalogue.get(id);
    if (!image || !verified.tenancy.allows(image.city)) throw new NotFoundException(`firmware image ${id} not found`);
    return image;
  }
}
