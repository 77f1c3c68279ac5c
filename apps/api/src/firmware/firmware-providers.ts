import { readFileSync } from 'node:fs';
import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, redisStore } from '@citypulse/core';
import {
  DirectoryBlobStore,
  DownloadTokens,
  FirmwareCatalogue,
  S3BlobStore,
  SignatureVerifier,
  type FirmwareBlobStore,
} from '@citypulse/firmware';
import type { Logger } from '@citypulse/observability';

/** Injection token of the image bytes' store (a FirmwareBlobStore). */
export const FIRMWARE_BLOBS = Symbol('FIRMWARE_BLOBS');
/** Injection token of the SignatureVerifier, or null when no public key is configured. */
export const FIRMWARE_SIGNATURES = Symbol('FIRMWARE_SIGNATURES');

/**
 * The firmware catalogue's parts, built once per process from the configuration. The catalogue
 * is provided here rather than in the shared StoresModule: its lib also brings the S3 client.
 */
export const FIRMWARE_PROVIDERS: Provider[] = [
  redisStore(FirmwareCatalogue),
  { provide: FIRMWARE_BLOBS, inject: [APP_CONFIG, LOGGER], useFactory: blobStore },
  {
    provide: DownloadTokens,
    inject: [APP_CONFIG],
    useFactory: (config: AppConfig) => new DownloadTokens(config.firmware.tokenSecret),
  },
  {
    provide: FIRMWARE_SIGNATURES,
    inject: [APP_CONFIG],
    // Read at boot: a missing or unusable key stops the api starting instead of failing uploads later.
    useFactory: (config: AppConfig) =>
      config.firmware.signingPublicKeyPath
        ? new SignatureVerifier(readFileSync(config.firmware.signingPublicKeyPath))
        : null,
  },
];

/** The S3-compatible bucket when CP_FIRMWARE_S3_BUCKET names one, else the directory. */
function blobStore(config: AppConfig, logger: Logger): FirmwareBlobStore {
  const s3 = config.firmware.s3;
  if (!s3) return new DirectoryBlobStore(config.firmware.dir);
  const log = logger.child({ component: 'firmware-blobs' });
  log.info(
    { bucket: s3.bucket, endpoint: s3.endpoint || 'AWS S3', region: s3.region, keyPrefix: s3.keyPrefix },
    'firmware images in an S3-compatible bucket',
  );
  return new S3BlobStore({
    ...s3,
    // Only name and message: an SDK error also carries the signed request.
    onCleanupFailure: (objectKey, err) =>
      log.warn(
        { bucket: s3.bucket, objectKey, error: `${err.name}: ${err.message}` },
        'a refused firmware upload could not be removed from the bucket (an abort-incomplete-multipart-upload ' +
          'lifecycle rule collects what is left)',
      ),
  });
}
