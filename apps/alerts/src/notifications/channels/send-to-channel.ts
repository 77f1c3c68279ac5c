import type { AlertMessage } from '@citypulse/contracts';
import { openSecret, secretContext, SecretUnavailableError, type Channel } from '@citypulse/alert-config';
import { decideDelivery, type DeliveryDecision } from '../delivery-decision.js';
import { deliver } from '../deliver.js';
import { postGuarded, type DeliveryOptions } from '../http-post.js';
import type { AlertSummary } from './alert-summary.js';
import { mattermostPayload, slackPayload, teamsPayload } from './chat-payloads.js';
import { emailContent } from './email-content.js';
import { sendEmail } from './send-email.js';

export interface ChannelDelivery {
  message: AlertMessage;
  summary: AlertSummary;
  /** The same for every retry of one delivery (the signed webhook's X-Citypulse-Delivery). */
  deliveryId: string;
  /** E-mail: these recipients instead of the channel's (the person on call). */
  recipients?: string[];
}

export interface ChannelSenderDeps {
  secretsKey?: Buffer;
  options: DeliveryOptions;
  /** Puts a message on the live channel: the API's event stream and MQTT `alerts/{city}/{severity}`. */
  publishLive(message: AlertMessage): Promise<void>;
}

const CHAT_FORMATS = { slack: slackPayload, teams: teamsPayload, mattermost: mattermostPayload } as const;

/** Delivers one alert message to one channel in that channel's format, and classifies the outcome. */
export async function sendToChannel(
  channel: Channel,
  delivery: ChannelDelivery,
  deps: ChannelSenderDeps,
): Promise<DeliveryDecision> {
  try {
    switch (channel.kind) {
      case 'email': {
        const smtp = channel.email!;
        const password =
          smtp.password &&
          openSecret(smtp.password, deps.secretsKey, secretContext(channel.city, channel.id, 'password'));
        return await sendEmail(
          smtp,
          password,
          { to: delivery.recipients ?? smtp.to, ...emailContent(delivery.summary) },
          deps.options,
        );
      }
      case 'slack':
      case 'teams':
      case 'mattermost': {
        const url = openSecret(channel.url!, deps.secretsKey, secretContext(channel.city, channel.id, 'url'));
        const body = JSON.stringify(CHAT_FORMATS[channel.kind](delivery.summary));
        return await postGuarded(new URL(url), body, { 'user-agent': 'citypulse-notifications/1' }, deps.options);
      }
      case 'webhook': {
        const url = openSecret(channel.url!, deps.secretsKey, secretContext(channel.city, channel.id, 'url'));
        const signing = openSecret(
          channel.signingSecret!,
          deps.secretsKey,
          secretContext(channel.city, channel.id, 'signingSecret'),
        );
        return await deliver({ url, secret: signing }, delivery.message, delivery.deliveryId, deps.options);
      }
      case 'mqtt':
        await deps.publishLive(delivery.message);
        return decideDelivery({ status: 200 });
    }
  } catch (err) {
    // A secret that does not open will not open on a retry either; a bad stored URL neither.
    if (err instanceof SecretUnavailableError || err instanceof TypeError)
      return decideDelivery({ refused: err.message });
    throw err;
  }
}
