import { Module } from '@nestjs/common';
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
  providers: [...FIRMWARE_PROVIDERS, FirmwareUpload, FirmwareDownload, FirmwareUpdates, TokenVerifier],
  exports: [FirmwareUpdates, FirmwareCatalogue, DownloadTokens],
})
export class FirmwareApiModule {}
