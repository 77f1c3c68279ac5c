import type { StoredSecret } from './secret-box.js';

export const CHANNEL_KINDS = ['email', 'slack', 'teams', 'mattermost', 'webhook', 'mqtt'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
/** Kinds that POST to a URL; the URL is a secret itself (whoever has a chat webhook URL may post). */
export const URL_KINDS: readonly ChannelKind[] = ['slack', 'teams', 'mattermost', 'webhook'];

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: StoredSecret;
  from: string;
  to: string[];
}

/**
 * Where a city's alerts go: one e-mail list over SMTP, one chat webhook (Slack, Microsoft Teams,
 * Mattermost), a signed webhook, or the MQTT topic `alerts/{city}/{severity}`. Secrets are stored
 * sealed (or as references) and never leave the API in the clear (`maskedChannel`).
 */
export interface Channel {
  city: string;
  id: string;
  kind: ChannelKind;
  name?: string;
  enabled: boolean;
  email?: SmtpSettings;
  url?: StoredSecret;
  /** The URL's scheme and host, kept in the clear so a masked URL can still be recognised. */
  urlHost?: string;
  /** Signed webhooks: the HMAC key (X-Citypulse-Signature), as for /webhooks. */
  signingSecret?: StoredSecret;
  createdAt: string;
  updatedAt: string;
}

/** The associated data a channel's secret is sealed with: it opens only in this channel's field. */
export function secretContext(city: string, id: string, field: 'url' | 'password' | 'signingSecret'): string {
  return `channel/${city}/${id}/${field}`;
}

const HIDDEN = '********';

/**
 * A stored secret as the API shows it: a reference as written, a sealed value as a mask (with a URL's host, to
 * recognise it).
 */
function maskSecret(secret: StoredSecret | undefined, hint?: string): string | undefined {
  if (!secret) return undefined;
  if ('ref' in secret) return secret.ref;
  return hint ? `${hint}/${HIDDEN}` : HIDDEN;
}

/** What GET returns: everything but the secrets, which are masked. */
export function maskedChannel(channel: Channel) {
  const { url, signingSecret, email, urlHost, ...rest } = channel;
  return {
    ...rest,
    ...(url && { url: maskSecret(url, urlHost) }),
    ...(signingSecret && { signingSecret: maskSecret(signingSecret) }),
    ...(email && { email: { ...email, ...(email.password && { password: maskSecret(email.password) }) } }),
  };
}
