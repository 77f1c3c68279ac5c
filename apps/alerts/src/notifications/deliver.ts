import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AlertMessage } from '@citypulse/contracts';
import { literalTargetProblem, NonPublicAddressError, publicOnlyLookup, type Webhook } from '@citypulse/alert-config';
import { decideDelivery, type DeliveryDecision } from './delivery-decision.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from './sign.js';

export interface DeliveryOptions {
  timeoutMs: number;
  /** CP_WEBHOOK_ALLOW_PRIVATE: may the receiver be on a loopback, private, link-local or metadata address? */
  allowPrivateTargets: boolean;
}

const guardedLookup = publicOnlyLookup();

/**
 * POSTs one signed message to a webhook and classifies the outcome. Unless private targets are
 * allowed, the address is checked where the connection is made: an IP literal before connecting,
 * a host name on the very DNS answer the socket uses (`lookup`), so a name that resolved to a
 * public address when the webhook was created and to 127.0.0.1 now reaches nothing.
 * Redirects are not followed.
 */
export async function deliver(webhook: Webhook, message: AlertMessage, deliveryId: string, options: DeliveryOptions): Promise<DeliveryDecision> {
  const body = JSON.stringify(message);
  const timestampS = Math.floor(Date.now() / 1000);
  const url = new URL(webhook.url);
  // An IP literal never goes through lookup: judged here. A host name is judged by the lookup.
  const literal = options.allowPrivateTargets ? undefined : literalTargetProblem(url);
  if (literal) return decideDelivery({ refused: `webhook URL ${literal}` });
  try {
    const status = await post(url, body, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'citypulse-webhooks/1',
      'x-citypulse-event': message.event.kind,
      'x-citypulse-delivery': deliveryId,
      [TIMESTAMP_HEADER]: String(timestampS),
      [SIGNATURE_HEADER]: signBody(webhook.secret, timestampS, body),
    }, options);
    return decideDelivery({ status });
  } catch (err) {
    if (err instanceof NonPublicAddressError) return decideDelivery({ refused: err.message });
    return decideDelivery({ error: (err as Error).message });
  }
}

function post(url: URL, body: string, headers: Record<string, string>, options: DeliveryOptions): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers,
      agent: false,
      signal: AbortSignal.timeout(options.timeoutMs),
      ...(!options.allowPrivateTargets && { lookup: guardedLookup }),
    }, (res: IncomingMessage) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
