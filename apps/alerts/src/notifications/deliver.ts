import type { AlertMessage } from '@citypulse/contracts';
import type { Webhook } from '@citypulse/alert-config';
import { decideDelivery, type DeliveryDecision } from './delivery-decision.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signBody } from './sign.js';

/** POSTs one signed message to a webhook and classifies the outcome. */
export async function deliver(webhook: Webhook, message: AlertMessage, deliveryId: string, timeoutMs: number): Promise<DeliveryDecision> {
  const body = JSON.stringify(message);
  const timestampS = Math.floor(Date.now() / 1000);
  try {
    const response = await fetch(webhook.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'citypulse-webhooks/1',
        'x-citypulse-event': message.event.kind,
        'x-citypulse-delivery': deliveryId,
        [TIMESTAMP_HEADER]: String(timestampS),
        [SIGNATURE_HEADER]: signBody(webhook.secret, timestampS, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return decideDelivery({ status: response.status });
  } catch (err) {
    return decideDelivery({ error: (err as Error).message });
  }
}
