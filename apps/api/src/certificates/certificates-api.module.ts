import { Module } from '@nestjs/common';
import { BulkCertificatesController } from './bulk-certificates.controller.js';
import { CertificateGauges } from './certificate-gauges.js';
import { CERTIFICATE_PROVIDERS } from './certificate-providers.js';
import { DeviceCertificatesController } from './device-certificates.controller.js';
import { ExpiringCertificatesController } from './expiring-certificates.controller.js';

/**
 * Device X.509 certificates: signing CSRs with the cities' device CAs, registering external ones, expiry, revocation.
 */
@Module({
  // BulkCertificatesController first: POST /devices/certificates/bulk must not be taken for a device id.
  controllers: [BulkCertificatesController, DeviceCertificatesController, ExpiringCertificatesController],
  providers: [...CERTIFICATE_PROVIDERS, CertificateGauges],
})
export class CertificatesApiModule {}
