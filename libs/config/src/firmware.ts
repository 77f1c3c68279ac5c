import { createHash } from 'node:crypto';
import type { EnvSchema } from './env.schema.js';
import { firmwareS3Problems, toFirmwareS3Config, type FirmwareS3Config } from './firmware-s3.js';

/**
 * The firmware catalogue (images in a directory or an S3-compatible bucket, metadata in Redis) and the over-the-air
 * download tokens.
 */
export interface FirmwareConfig {
  /** Directory the images are stored in (when no S3 bucket is configured). */
  dir: string;
  /** Set: the images are in this S3-compatible bucket instead of `dir`. */
  s3?: FirmwareS3Config;
  maxBytes: number;
  /** Path of the PEM public key that checks signatures; empty: none configured. */
  signingPublicKeyPath: string;
  requireSignature: boolean;
  tokenTtlS: number;
  /** HMAC key of download tokens. */
  tokenSecret: Buffer;
  /** Base URL devices download from; empty: the API's own address (CP_MQTT_HOST and its port). */
  publicUrl: string;
  updateTimeoutS: number;
}

export function firmwareProblems(e: EnvSchema): string[] {
  const problems: string[] = firmwareS3Problems(e);
  if (e.CP_FIRMWARE_REQUIRE_SIGNATURE === 'true' && !e.CP_FIRMWARE_SIGNING_PUBLIC_KEY) {
    problems.push(
      'CP_FIRMWARE_REQUIRE_SIGNATURE=true: CP_FIRMWARE_SIGNING_PUBLIC_KEY must name the public key that ' +
        'checks the signatures',
    );
  }
  if (e.CP_FIRMWARE_PUBLIC_URL && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(e.CP_FIRMWARE_PUBLIC_URL)) {
    problems.push(
      `CP_FIRMWARE_PUBLIC_URL=${JSON.stringify(e.CP_FIRMWARE_PUBLIC_URL)}: must be an http:// or https:// URL`,
    );
  }
  if (e.CP_FIRMWARE_TOKEN_SECRET && e.CP_FIRMWARE_TOKEN_SECRET.length < 16)
    problems.push('CP_FIRMWARE_TOKEN_SECRET: must be at least 16 characters');
  return problems;
}

export function toFirmwareConfig(e: EnvSchema): FirmwareConfig {
  // Derived, not the admin token itself: a leaked download-token key must not be an admin login.
  const tokenSecret = e.CP_FIRMWARE_TOKEN_SECRET
    ? Buffer.from(e.CP_FIRMWARE_TOKEN_SECRET)
    : createHash('sha256').update(`citypulse firmware download tokens\0${e.CP_API_TOKEN}`).digest();
  const s3 = toFirmwareS3Config(e);
  return {
    dir: e.CP_FIRMWARE_DIR,
    ...(s3 && { s3 }),
    maxBytes: e.CP_FIRMWARE_MAX_BYTES,
    signingPublicKeyPath: e.CP_FIRMWARE_SIGNING_PUBLIC_KEY,
    requireSignature: e.CP_FIRMWARE_REQUIRE_SIGNATURE === 'true',
    tokenTtlS: e.CP_FIRMWARE_TOKEN_TTL_S,
    tokenSecret,
    publicUrl: e.CP_FIRMWARE_PUBLIC_URL.replace(/\/+$/, ''),
    updateTimeoutS: e.CP_FIRMWARE_UPDATE_TIMEOUT_S,
  };
}
