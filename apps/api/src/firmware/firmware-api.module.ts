import { Module } from '@nestjs/common';
import { AuditLog } from '@citypulse/alert-store';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { REDIS } from '@citypulse/core';
import { TokenVerifier } from '../auth/token-verifier.js';
import { DownloadTokens, FirmwareCatalogue } from '@citypulse/firmware';
import { FirmwareController } from './firmware.controller.js';
import { FirmwareDownload } from './firmware-download.js';
import { FIRMWARE_PROVIDERS } from './firmware-providers.js';
import { FirmwareUpdates } from './firmware-updates.js';
import { FirmwareUpload } from './firmware-upload.js';

/** The firmware catalogue over HTTP, and FirmwareUpdates for whoever sends firmware-update commands. */
@Module({
  controllers: [FirmwareController],
  providers: [
    ...FIRMWARE_PROVIDERS,
    FirmwareUpload,
    FirmwareDownload,
    FirmwareUpdates,
    TokenVerifier,
    { provide: AuditLog, inject: [REDIS, APP_CONFIG], useFactory: (redis: RedisClient, config: AppConfig) => new AuditLog(redis, config.redis.prefix) },
  ],
  exports: [FirmwareUpdates, FirmwareCatalogue, DownloadTokens],
})
export class FirmwareApiModule {}
