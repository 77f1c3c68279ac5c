import { Module } from '@nestjs/common';
import { CertificatesApiModule } from '../certificates/certificates-api.module.js';
import { PresenceController } from '../presence/presence.controller.js';
import { PresenceFeed } from '../presence/presence-feed.js';
import { TokensController } from '../tokens/tokens.controller.js';
import { BulkProvisionController } from './bulk/bulk-provision.controller.js';
import { DevicesController } from './devices.controller.js';
import { DeviceTypesController } from './device-types.controller.js';
import { IdNamespaces } from './id-namespace.js';

/** The fleet part of the API: device registry and provisioning, the catalogue, presence, API tokens. */
@Module({
  imports: [CertificatesApiModule],
  // BulkProvisionController first: its POST /devices/bulk must not be taken for a device id.
  controllers: [
    BulkProvisionController,
    DevicesController,
    DeviceTypesController,
    PresenceController,
    TokensController,
  ],
  providers: [PresenceFeed, IdNamespaces],
})
export class DevicesApiModule {}
