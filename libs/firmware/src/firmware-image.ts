export { FIRMWARE_VERSION_PATTERN } from '@citypulse/devices';

/** One firmware image in the catalogue: a build for one device type, uploaded for one city. */
export interface FirmwareImage {
  id: string;
  /** The catalogue device type it runs on (`env-sensor` …). */
  deviceType: string;
  version: string;
  /** The tenant it belongs to: only that city's tokens (and admins of every city) see it. */
  city: string;
  size: number;
  /** Lower-case hex SHA-256 of the bytes, computed by the server while receiving them. */
  sha256: string;
  /** A detached signature was given and verified against CP_FIRMWARE_SIGNING_PUBLIC_KEY. */
  signed: boolean;
  /** The signature as uploaded (base64), kept so devices or auditors can check it again. */
  signature?: string;
  notes?: string;
  uploadedAt: string;
  /** The API token (name) that uploaded it. */
  uploadedBy: string;
}

export const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
/** Image ids are random UUIDs: they say nothing about other tenants' images. */
export const FIRMWARE_IMAGE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
