import type { DownloadTokens } from './download-token.js';
import type { FirmwareImage } from './firmware-image.js';

/** The params of a `firmware-update` command as the device receives them (devices/README.md). */
export interface FirmwareUpdateParams {
  [key: string]: string | number;
  /** Where to GET the image (with `Authorization: Bearer <token>`; Range to resume). */
  url: string;
  version: string;
  size: number;
  sha256: string;
  token: string;
}

/**
 * What a firmware-update command for `deviceId` carries: the image's download URL under
 * `baseUrl`, its version, size and SHA-256, and a download token for this image and this device
 * valid until `validUntilMs`.
 */
export function firmwareUpdateParams(
  image: FirmwareImage,
  deviceId: string,
  options: { baseUrl: string; tokens: DownloadTokens; validUntilMs: number },
): FirmwareUpdateParams {
  const token = options.tokens.issue({
    imageId: image.id,
    deviceId,
    expiresAt: Math.ceil(options.validUntilMs / 1000),
  });
  return {
    url: `${options.baseUrl}/firmware/${image.id}/download`,
    version: image.version,
    size: image.size,
    sha256: image.sha256,
    token,
  };
}
