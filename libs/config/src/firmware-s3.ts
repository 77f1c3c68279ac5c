import type { EnvSchema } from './env.schema.js';

/** An S3-compatible bucket holding the firmware images (instead of CP_FIRMWARE_DIR). */
export interface FirmwareS3Config {
  bucket: string;
  /** Empty: AWS S3 itself, found from the region. */
  endpoint: string;
  region: string;
  /** Absent: the AWS SDK's default credential chain (environment, instance role…). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  /** Prepended to every image's object key. */
  keyPrefix: string;
}

/** S3 bucket names: 3–63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The S3 settings that mean nothing without a bucket: set alone, they are a forgotten CP_FIRMWARE_S3_BUCKET. */
const NEEDS_BUCKET = [
  'CP_FIRMWARE_S3_ENDPOINT',
  'CP_FIRMWARE_S3_ACCESS_KEY_ID',
  'CP_FIRMWARE_S3_SECRET_ACCESS_KEY',
  'CP_FIRMWARE_S3_KEY_PREFIX',
] as const;

/** Incomplete or contradictory S3 settings, each naming its variable (never a secret's value). */
export function firmwareS3Problems(e: EnvSchema): string[] {
  if (!e.CP_FIRMWARE_S3_BUCKET) {
    const stray = NEEDS_BUCKET.filter((key) => e[key] !== '');
    // Otherwise the images would quietly land in CP_FIRMWARE_DIR while the operator believes they are in S3.
    return stray.length > 0
      ? [
          `CP_FIRMWARE_S3_BUCKET: must be set when ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} ` +
            `(images go to the bucket only when it is named)`,
        ]
      : [];
  }
  const problems: string[] = [];
  if (!BUCKET_NAME.test(e.CP_FIRMWARE_S3_BUCKET)) {
    problems.push(
      `CP_FIRMWARE_S3_BUCKET=${JSON.stringify(e.CP_FIRMWARE_S3_BUCKET)}: must be an S3 bucket name (3-63 ` +
        `lower-case letters, digits, dots and hyphens)`,
    );
  }
  if (e.CP_FIRMWARE_S3_ENDPOINT && !/^https?:\/\/[^\s/]+\/?$/.test(e.CP_FIRMWARE_S3_ENDPOINT)) {
    problems.push(
      `CP_FIRMWARE_S3_ENDPOINT=${JSON.stringify(e.CP_FIRMWARE_S3_ENDPOINT)}: must be an http:// or https:// URL of the service, without a path (e.g. http://127.0.0.1:9000)`,
    );
  }
  if (e.CP_FIRMWARE_S3_ACCESS_KEY_ID && !e.CP_FIRMWARE_S3_SECRET_ACCESS_KEY)
    problems.push('CP_FIRMWARE_S3_SECRET_ACCESS_KEY: must be set with CP_FIRMWARE_S3_ACCESS_KEY_ID');
  if (e.CP_FIRMWARE_S3_SECRET_ACCESS_KEY && !e.CP_FIRMWARE_S3_ACCESS_KEY_ID)
    problems.push('CP_FIRMWARE_S3_ACCESS_KEY_ID: must be set with CP_FIRMWARE_S3_SECRET_ACCESS_KEY');
  return problems;
}

/** The bucket's settings (already validated), or undefined when images stay in CP_FIRMWARE_DIR. */
export function toFirmwareS3Config(e: EnvSchema): FirmwareS3Config | undefined {
  if (!e.CP_FIRMWARE_S3_BUCKET) return undefined;
  return {
    bucket: e.CP_FIRMWARE_S3_BUCKET,
    endpoint: e.CP_FIRMWARE_S3_ENDPOINT.replace(/\/+$/, ''),
    region: e.CP_FIRMWARE_S3_REGION,
    ...(e.CP_FIRMWARE_S3_ACCESS_KEY_ID && {
      credentials: { accessKeyId: e.CP_FIRMWARE_S3_ACCESS_KEY_ID, secretAccessKey: e.CP_FIRMWARE_S3_SECRET_ACCESS_KEY },
    }),
    forcePathStyle: e.CP_FIRMWARE_S3_FORCE_PATH_STYLE === 'true',
    keyPrefix: e.CP_FIRMWARE_S3_KEY_PREFIX,
  };
}
