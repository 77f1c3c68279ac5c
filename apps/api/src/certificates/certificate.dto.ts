import { IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import { Type } from 'class-transformer';
import { CITY_PATTERN, DEVICE_ID_PATTERN } from '@citypulse/registry';
import { DevicePath } from '../devices/device-path.js';
import { DEVICE_FIELD_MESSAGES } from '../devices/provision-device.dto.js';

/** PEM bodies are a few KB; this bounds what a request may make the API parse. */
const MAX_PEM_CHARS = 16_384;
/** A serial (at most 20 octets) or a SHA-256 fingerprint, hex, optionally colon-separated. */
const CERTIFICATE_REF = /^(?:[0-9A-Fa-f]{1,40}|[0-9A-Fa-f]{64}|(?:[0-9A-Fa-f]{2}:){1,31}[0-9A-Fa-f]{2})$/;
const FINGERPRINT_INPUT = /^(?:[0-9A-Fa-f]{64}|(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2})$/;

/** POST /devices/:id/certificate — the device's CSR; only its public key is used. */
export class SignCsrDto {
  @IsString({ message: 'csr must be a PEM certificate signing request' })
  @Length(1, MAX_PEM_CHARS)
  csr!: string;
}

/** POST /devices/:id/certificate/rotate — a new CSR, and how long the device's previous certificates keep working. */
export class RotateCertificateDto extends SignCsrDto {
  /** 0 revokes the previous certificates at once (and disconnects a device using one). @defaultValue 24 */
  @IsOptional()
  @IsInt({ message: 'graceHours must be a whole number of hours' })
  @Min(0)
  @Max(720)
  graceHours?: number;
}

/** POST /devices/:id/certificates — an externally issued certificate: the PEM, or only its SHA-256 fingerprint. */
export class RegisterCertificateDto {
  @ValidateIf((o: RegisterCertificateDto) => o.fingerprint === undefined)
  @IsString({ message: 'certificate must be a PEM certificate; send certificate or fingerprint' })
  @Length(1, MAX_PEM_CHARS)
  certificate?: string;

  @ValidateIf((o: RegisterCertificateDto) => o.certificate === undefined || o.fingerprint !== undefined)
  @Matches(FINGERPRINT_INPUT, {
    message: "fingerprint must be the certificate's SHA-256 fingerprint: 64 hex digits, colons allowed",
  })
  fingerprint?: string;
}

/** One row of POST /devices/certificates/bulk. */
export class BulkCertificateRowDto extends RegisterCertificateDto {
  @Matches(DEVICE_ID_PATTERN, { message: DEVICE_FIELD_MESSAGES.id.replace(/^id/, 'deviceId') })
  deviceId!: string;
}

/** `/devices/:id/certificates/:serial`: a serial or a SHA-256 fingerprint, hex (colons allowed). */
export class DeviceCertificatePath extends DevicePath {
  @Matches(CERTIFICATE_REF, {
    message:
      'serial must be a certificate serial (up to 40 hex digits) or a SHA-256 fingerprint (64 hex digits), ' +
      'colons allowed',
  })
  serial!: string;
}

/** GET /certificates/expiring */
export class ExpiringQuery {
  /** Certificates whose notAfter is within this many days from now. @defaultValue 30 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  days = 30;

  @IsOptional()
  @Matches(CITY_PATTERN, { message: DEVICE_FIELD_MESSAGES.city })
  city?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit = 100;
}
