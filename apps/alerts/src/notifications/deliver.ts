import type { AlertMessage } from '@citypulse/contracts';
import type { DeliveryDecision } from './delivery-decision.js';
import { postGuarded, type DeliveryOptions } from './http-post.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from './sign.js';

export type { DeliveryOptions } from './http-post.js';

/**
 * POSTs one signed message to a webhook (`X-Citypulse-Signature` over timestamp and body) and
 * classifies the outcome; the target's address is checked as `postGuarded` says.
 */
export async function deliver(
  webhook: { url: string; secret: string },
  message: AlertMessage,
  deliveryId: string,
  options: DeliveryOptions,
): Promise<DeliveryDecision> {
  const body = JSON.stringify(message);
  const timestampS = Math.floor(Date.now() / 1000);
  return postGuarded(
    new URL(webhook.url),
    body,
    {
      'user-agent': 'citypulse-webhooks/1',
      'x-citypulse-event': message.event.kind,
      'x-citypulse-delivery': deliveryId,
      [TIMESTAMP_HEADER]: String(timestampS),
      [SIGNATURE_HEADER]: signBody(webhook.secret, timestampS, body),
    },
    options,
  );
}
