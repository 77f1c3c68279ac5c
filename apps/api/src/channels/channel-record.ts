import { randomBytes } from 'node:crypto';
import {
  SecretUnavailableError,
  URL_KINDS,
  secretContext,
  storeSecret,
  webhookTargetProblem,
  SECRET_REF_PATTERN,
  type Channel,
} from '@citypulse/alert-config';
import { badRequest } from '../common/bad-request.js';
import type { ChannelDto } from './channel.dto.js';

export interface ChannelRecordOptions {
  secretsKey?: Buffer;
  allowPrivateTargets: boolean;
}

/**
 * Turns a validated channel body into the record stored: settings checked against the kind
 * (400 naming the field), targets held to the webhooks' address rules, secrets sealed. On an
 * update, a secret left out keeps the stored one. Returns a generated signing secret, shown once.
 */
export async function channelRecord(
  city: string,
  body: ChannelDto,
  previous: Channel | null,
  options: ChannelRecordOptions,
): Promise<{ channel: Channel; generatedSecret?: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const usesUrl = URL_KINDS.includes(body.kind);
  if (body.kind === 'email' && !body.email)
    problems.push({ field: 'email', message: 'an email channel needs email settings (host, port, from, to)' });
  if (body.kind !== 'email' && body.email)
    problems.push({ field: 'email', message: `a ${body.kind} channel takes no email settings` });
  if (usesUrl && !body.url && !previous?.url)
    problems.push({ field: 'url', message: `a ${body.kind} channel needs a url` });
  if (!usesUrl && body.url) problems.push({ field: 'url', message: `a ${body.kind} channel takes no url` });
  if (body.kind !== 'webhook' && body.signingSecret)
    problems.push({ field: 'signingSecret', message: 'only a webhook channel is signed' });
  if (body.email?.user && !body.email.password && !previous?.email?.password)
    problems.push({ field: 'email.password', message: 'a login (user) needs a password' });
  if (problems.length > 0) throw badRequest(problems);

  if (!options.allowPrivateTargets) {
    // Resolved now to refuse a loopback, private or metadata target early; delivery checks again.
    const urlProblem =
      body.url && !SECRET_REF_PATTERN.test(body.url) ? await webhookTargetProblem(body.url) : undefined;
    const hostProblem = body.email ? await webhookTargetProblem(`smtp://${body.email.host}`) : undefined;
    if (urlProblem) problems.push({ field: 'url', message: urlProblem });
    if (hostProblem) problems.push({ field: 'email.host', message: hostProblem });
    if (problems.length > 0) throw badRequest(problems);
  }

  const seal = (field: 'url' | 'password' | 'signingSecret', given: string) => {
    try {
      return storeSecret(given, options.secretsKey, secretContext(city, body.id, field));
    } catch (err) {
      if (err instanceof SecretUnavailableError)
        throw badRequest([{ field: field === 'password' ? 'email.password' : field, message: err.message }]);
      throw err;
    }
  };
  const now = new Date().toISOString();
  const generatedSecret =
    body.kind === 'webhook' && !body.signingSecret && !previous?.signingSecret
      ? randomBytes(32).toString('base64url')
      : undefined;
  const signing = body.signingSecret ?? generatedSecret;
  const channel: Channel = {
    city,
    id: body.id,
    kind: body.kind,
    ...(body.name && { name: body.name }),
    enabled: body.enabled ?? true,
    ...(body.email && {
      email: {
        host: body.email.host,
        port: body.email.port,
        secure: body.email.secure ?? false,
        ...(body.email.user && { user: body.email.user }),
        ...(body.email.password
          ? { password: seal('password', body.email.password) }
          : previous?.email?.password && body.email.user
            ? { password: previous.email.password }
            : {}),
        from: body.email.from,
        to: body.email.to,
      },
    }),
    ...(usesUrl &&
      (body.url
        ? { url: seal('url', body.url), urlHost: urlHostOf(body.url) }
        : { url: previous!.url, ...(previous!.urlHost && { urlHost: previous!.urlHost }) })),
    ...(body.kind === 'webhook' && {
      signingSecret: signing ? seal('signingSecret', signing) : previous!.signingSecret!,
    }),
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
  };
  return { channel, ...(generatedSecret && { generatedSecret }) };
}

/** `https://hooks.slack.com` of a URL; a reference has none. */
function urlHostOf(url: string): string | undefined {
  if (SECRET_REF_PATTERN.test(url)) return undefined;
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}
