import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import { nonPublicAddress, type SmtpSettings } from '@citypulse/alert-config';
import { decideDelivery, type DeliveryDecision } from '../delivery-decision.js';
import type { DeliveryOptions } from '../http-post.js';

export interface OutgoingEmail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/**
 * Sends one e-mail through the channel's SMTP server (nodemailer; STARTTLS when offered, TLS from
 * the start with `secure`). The server is chosen by a city admin, so unless private targets are
 * allowed it is held to the webhooks' rule: its name is resolved here, every address must be
 * public, and the connection goes to the address checked (TLS still verifies the name).
 * SMTP answers 5xx are permanent (bad recipient, authentication refused): no retry; 4xx and
 * connection failures are retried.
 */
export async function sendEmail(
  smtp: SmtpSettings,
  password: string | undefined,
  mail: OutgoingEmail,
  options: DeliveryOptions,
): Promise<DeliveryDecision> {
  let host = smtp.host;
  if (!options.allowPrivateTargets) {
    const resolved = await resolvePublic(smtp.host);
    if (!('address' in resolved)) return decideDelivery(resolved);
    host = resolved.address;
  }
  const transport = nodemailer.createTransport({
    host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user && { auth: { user: smtp.user, pass: password ?? '' } }),
    tls: { servername: smtp.host },
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  try {
    await transport.sendMail({ from: smtp.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    return decideDelivery({ status: 200 });
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    if (code !== undefined && code >= 500)
      return decideDelivery({ refused: `SMTP ${code}: ${(err as Error).message}` });
    return decideDelivery({ error: (err as Error).message });
  } finally {
    transport.close();
  }
}

async function resolvePublic(host: string): Promise<{ address: string } | { refused: string } | { error: string }> {
  const addresses = isIP(host)
    ? [{ address: host }]
    : await lookup(host, { all: true, verbatim: true }).catch((err: NodeJS.ErrnoException) => err);
  if (addresses instanceof Error)
    return { error: `SMTP host ${host} does not resolve (${addresses.code ?? addresses.message})` };
  const bad = addresses.find((a) => nonPublicAddress(a.address));
  if (bad)
    return {
      refused:
        `SMTP host ${host} is ${bad.address}, a ${nonPublicAddress(bad.address)} address: channels reach public ` +
        `addresses only (CP_WEBHOOK_ALLOW_PRIVATE=true allows others)`,
    };
  if (addresses.length === 0) return { error: `SMTP host ${host} has no address` };
  return { address: addresses[0].address };
}
