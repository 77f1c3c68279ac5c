import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import {
  DownloadTokens,
  FIRMWARE_IMAGE_ID_PATTERN,
  FirmwareCatalogue,
  firmwareUpdateParams,
  type FirmwareImage,
  type FirmwareUpdateParams,
} from '@citypulse/firmware';
import type { DeviceRecord } from '@citypulse/registry';
import type { Tenancy } from '../auth/tenancy.js';

export type FirmwareUpdatePlan =
  { ok: true; image: FirmwareImage; params: FirmwareUpdateParams } | { ok: false; field: string; message: string };

/**
 * Turns an operator's `firmware-update {imageId}` into what the device receives (url, version,
 * size, sha256, download token) and marks the image in use by the command until its deadline, so
 * it cannot be deleted while a device may still fetch it. The seam for anything that sends
 * firmware-update commands (POST /devices/:id/commands, fleet jobs).
 */
@Injectable()
export class FirmwareUpdates {
  constructor(
    private readonly catalogue: FirmwareCatalogue,
    private readonly tokens: DownloadTokens,
    private readonly http: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Deadline of a firmware-update command sent without `timeoutS`. */
  get defaultTimeoutS(): number {
    return this.config.firmware.updateTimeoutS;
  }

  /**
   * The params for `device` from the request's `{imageId}`; the image must be visible to the
   * caller, of the device's city and for the device's type (else a problem naming `params.imageId`,
   * worded alike for "no such image" and "another city's", so nothing leaks).
   */
  async plan(
    device: DeviceRecord,
    requested: Record<string, unknown>,
    tenancy: Tenancy,
    timeoutS: number,
    now = Date.now(),
  ): Promise<FirmwareUpdatePlan> {
    const imageId = requested.imageId;
    const extra = Object.keys(requested).filter((k) => k !== 'imageId');
    if (extra.length > 0)
      return {
        ok: false,
        field: `params.${extra[0]}`,
        message: 'firmware-update takes only params.imageId (an image of GET /firmware)',
      };
    if (typeof imageId !== 'string' || !FIRMWARE_IMAGE_ID_PATTERN.test(imageId))
      return {
        ok: false,
        field: 'params.imageId',
        message: 'firmware-update needs params.imageId, the id of an image of GET /firmware',
      };
    const image = await this.catalogue.get(imageId);
    if (!image || !tenancy.allows(image.city) || image.city !== device.city)
      return { ok: false, field: 'params.imageId', message: `no firmware image ${imageId} in ${device.city}` };
    if (image.deviceType !== device.type)
      return {
        ok: false,
        field: 'params.imageId',
        message: `image ${imageId} is for ${image.deviceType}; ${device.id} is a ${device.type}`,
      };
    // The token outlives the command's deadline at least: a device that gets the command late still fetches.
    const validUntilMs = now + Math.max(this.config.firmware.tokenTtlS, timeoutS) * 1000;
    return {
      ok: true,
      image,
      params: firmwareUpdateParams(image, device.id, { baseUrl: this.baseUrl(), tokens: this.tokens, validUntilMs }),
    };
  }

  /** Keeps the image from deletion until the command's deadline (or until `release` for a holder without one). */
  async holdFor(commandId: string, image: FirmwareImage, deadlineMs: number): Promise<boolean> {
    return this.catalogue.markInUse(image.id, `command:${commandId}`, deadlineMs);
  }

  /** CP_FIRMWARE_PUBLIC_URL, else this API as the devices' broker host reaches it. */
  baseUrl(): string {
    if (this.config.firmware.publicUrl) return this.config.firmware.publicUrl;
    const address = (this.http.httpAdapter.getHttpServer() as Server).address() as AddressInfo | null;
    const port = address?.port ?? this.config.http.port;
    const host =
      [this.config.http.host, this.config.mqtt.host].find((h) => h && h !== '0.0.0.0' && h !== '::') ?? '127.0.0.1';
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
}
