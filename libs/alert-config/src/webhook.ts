import type { AlertMessage } from '@citypulse/contracts';

/** A webhook an operator configured: which alert events go to which URL, signed with which secret. */
export interface Webhook {
  id: string;
  url: string;
  /** HMAC-SHA256 key for the signature header; never shown again after creation. */
  secret: string;
  /** Only these severities / rules / cities / event kinds; absent or empty = all. */
  severities?: string[];
  ruleIds?: string[];
  cities?: string[];
  events?: string[];
  enabled: boolean;
  createdAt: string;
}

/** Event kinds sent when a webhook names none: what needs someone's attention. */
export const DEFAULT_WEBHOOK_EVENTS = ['raised', 'escalated', 'renotified', 'resolved'];

const allows = (list: string[] | undefined, value: string) => !list || list.length === 0 || list.includes(value);

/** Whether a webhook wants this alert message. */
export function webhookMatches(webhook: Webhook, message: AlertMessage): boolean {
  return (
    webhook.enabled &&
    (webhook.events && webhook.events.length > 0 ? webhook.events : DEFAULT_WEBHOOK_EVENTS).includes(
      message.event.kind,
    ) &&
    allows(webhook.severities, message.alert.severity) &&
    allows(webhook.ruleIds, message.alert.ruleId) &&
    allows(webhook.cities, message.alert.city)
  );
}

/** The webhook as the API shows it: the secret stays hidden. */
export function publicWebhook(webhook: Webhook): Omit<Webhook, 'secret'> {
  const { secret: _hidden, ...rest } = webhook;
  return rest;
}
