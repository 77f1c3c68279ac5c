import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a download token grants: one image, to one device, until `expiresAt` (epoch s). */
export interface DownloadGrant {
  imageId: string;
  deviceId: string;
  expiresAt: number;
}

const PREFIX = 'fwt1';

/**
 * Short-lived download tokens carried by firmware-update commands: `fwt1.<claims>.<HMAC-SHA256>`
 * (base64url), accepted by the download endpoint instead of an API token. Stateless, so any api
 * process with the same key verifies them; scoped to one image and one device, so a token read
 * off one device's command cannot fetch another image.
 */
export class DownloadTokens {
  constructor(private readonly key: Buffer) {}

  /** Whether a bearer token is one of these (and not an API token). */
  static looksLikeOne(token: string): boolean {
    return token.startsWith(`${PREFIX}.`);
  }

  issue(grant: DownloadGrant): string {
    const claims = Buffer.from(JSON.stringify({ i: grant.imageId, d: grant.deviceId, e: grant.expiresAt })).toString(
      'base64url',
    );
    return `${PREFIX}.${claims}.${this.sign(claims)}`;
  }

  /** The grant of a genuine, unexpired token; undefined otherwise. */
  verify(token: string, nowMs = Date.now()): DownloadGrant | undefined {
    const [prefix, claims, signature, ...rest] = token.split('.');
    if (prefix !== PREFIX || !claims || !signature || rest.length > 0) return undefined;
    const expected = Buffer.from(this.sign(claims));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let parsed: { i?: unknown; d?: unknown; e?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      return undefined;
    }
    if (typeof parsed.i !== 'string' || typeof parsed.d !== 'string' || typeof parsed.e !== 'number') return undefined;
    if (parsed.e * 1000 <= nowMs) return undefined;
    return { imageId: parsed.i, deviceId: parsed.d, expiresAt: parsed.e };
  }

  private sign(claims: string): string {
    return createHmac('sha256', this.key).update(`${PREFIX}.${claims}`).digest('base64url');
  }
}
