import { readFileSync } from 'node:fs';
import type { Provider } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { REDIS } from '@citypulse/core';
import { DirectoryBlobStore, DownloadTokens, FirmwareCatalogue, SignatureVerifier } from '@citypulse/firmware';

/** Injection token of the image bytes' store (a FirmwareBlobStore). */
export const FIRMWARE_BLOBS = Symbol('FIRMWARE_BLOBS');
/** Injection token of the SignatureVerifier, or null when no public key is configured. */
export const FIRMWARE_SIGNATURES = Symbol('FIRMWARE_SIGNATURES');

/** The firmware catalogue's parts, built once per process from the configuration. */
export const FIRMWARE_PROVIDERS: Provider[] = [
  { provide: FirmwareCatalogue, inject: [REDIS, APP_CONFIG], useFactory: (redis: RedisClient, config: AppConfig) => new FirmwareCatalogue(redis, config.redis.prefix) },
  { provide: FIRMWARE_BLOBS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new DirectoryBlobStore(config.firmware.dir) },
  { provide: DownloadTokens, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new DownloadTokens(config.firmware.tokenSecret) },
  {
    provide: FIRMWARE_SIGNATURES,
    inject: [APP_CONFIG],
    // Read at boot: a missing or unusable key stops the api starting instead of failing uploads later.
    useFactory: (config: AppConfig) => (config.firmware.signingPublicKeyPath ? new SignatureVerifier(readFileSync(config.firmware.signingPublicKeyPath)) : null),
  },
];
