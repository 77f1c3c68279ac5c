import type { AedesOptions } from 'aedes';
import { DEVICE_SUBSCRIBE_KINDS, parseDeviceTopic, type DeviceTopicKind } from '@citypulse/contracts';
import type { Logger, Metrics } from '@citypulse/observability';
import type { OperatorSessions } from '../operator-sessions.js';
import { operatorMaySubscribe, shareOfTopic } from '../operator-topics.js';
import type { ShareSubscriptions } from '../shares/share-subscriptions.js';
import type { Sessions } from '../sessions.js';
import type { TelemetryRouting } from '../telemetry/telemetry-routing.js';

export interface AuthorizeSubscribeDeps {
  sessions: Sessions;
  operators: OperatorSessions;
  metrics: Metrics;
  logger: Logger;
  /**
   * Told of every operator subscription granted (in a cluster: into the subscription index, before SUBACK), so
   * telemetry gets routed once someone listens.
   */
  telemetryRouting: TelemetryRouting;
  /** Checks a `shares/{id}/…` subscription against the agreement. */
  shares: ShareSubscriptions;
}

/**
 * A device may subscribe only to its own errors, config and commands topics, named exactly:
 * a wildcard could reach other devices' topics. An operator login may subscribe to the read-only
 * streams (operator-topics.ts) — a share's only when the agreement gives it to one of its cities —
 * and which messages it gets is limited to its cities by authorize-forward.
 * A refused subscription gets SUBACK 0x80 [MQTT-3.9.3-2] and the connection stays up.
 */
export function createAuthorizeSubscribe(
  deps: AuthorizeSubscribeDeps,
): NonNullable<AedesOptions['authorizeSubscribe']> {
  return (client, subscription, callback) => {
    const operator = deps.operators.get(client);
    if (operator) {
      if (!operatorMaySubscribe(subscription.topic)) return refuse();
      const share = shareOfTopic(subscription.topic);
      const granted =
        share === undefined ? Promise.resolve(true) : deps.shares.authorize(operator, share, subscription.topic);
      return void granted
        .then(async (ok) => {
          if (ok) await deps.telemetryRouting.noteSubscription(client, subscription.topic, operator.cities);
          return ok;
        })
        .then(
          (ok) => (ok ? callback(null, subscription) : refuse()),
          (err: Error) => {
            deps.logger.error(
              { err, clientId: client.id, topic: subscription.topic },
              'subscription not checked or not recorded in the routing index; refused',
            );
            callback(null, null);
          },
        );
    }
    const session = deps.sessions.get(client);
    const topic = parseDeviceTopic(subscription.topic);
    const allowed =
      session !== undefined &&
      topic !== null &&
      topic.deviceId === session.device.id &&
      DEVICE_SUBSCRIBE_KINDS.has(topic.kind as DeviceTopicKind);
    if (!allowed) return refuse();
    callback(null, subscription);

    function refuse() {
      deps.metrics.unauthorized.inc({ action: 'subscribe' });
      deps.logger.warn({ clientId: client.id, topic: subscription.topic }, 'subscribe refused');
      callback(null, null);
    }
  };
}
