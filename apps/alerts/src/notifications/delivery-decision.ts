/** What to do after one webhook delivery attempt. */
export type DeliveryDecision =
  { action: 'delivered' } | { action: 'retry'; reason: string } | { action: 'give_up'; reason: string };

/**
 * One place that classifies a delivery attempt: 2xx delivered; no answer, timeouts, 408, 429 and
 * 5xx are worth retrying (the receiver may be restarting); any other 4xx means the request itself
 * is refused (wrong URL, signature rejected) and retrying cannot help, as when the target is an
 * address webhooks may not reach (loopback, private, metadata …) — the delivery is kept as
 * failed for an operator to fix and retry through the API.
 */
export function decideDelivery(
  outcome: { status: number } | { error: string } | { refused: string },
): DeliveryDecision {
  if ('refused' in outcome) return { action: 'give_up', reason: outcome.refused };
  if ('error' in outcome) return { action: 'retry', reason: `no answer: ${outcome.error}` };
  const { status } = outcome;
  if (status >= 200 && status < 300) return { action: 'delivered' };
  if (status === 408 || status === 429 || status >= 500) return { action: 'retry', reason: `HTTP ${status}` };
  return { action: 'give_up', reason: `HTTP ${status}: the receiver refused the request` };
}
