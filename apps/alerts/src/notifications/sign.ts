import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-citypulse-signature';
export const TIMESTAMP_HEADER = 'x-citypulse-timestamp';

/**
 * The signature a webhook receiver checks: HMAC-SHA256 with the webhook's secret over
 * `{timestamp}.{body}`, hex, as `sha256=…`. The timestamp (epoch seconds, also sent in its own
 * header) is signed with the body, so a receiver that refuses old timestamps (say, over five
 * minutes) cannot be fed a captured request again.
 */
export function signBody(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}
