import type { AedesOptions } from 'aedes';
import { DEVICE_SUBSCRIBE_KINDS, parseDeviceTopic, type DeviceTopicKind } from '@citypulse/contracts';
import type { Logger, Metrics } from '@citypulse/observability';
import type { Sessions } from '../sessions.js';

export interface AuthorizeSubscribeDeps {
  sessions: Sessions;
  metrics: Metrics;
  logger: Logger;
}

/**
 * A device may subscribe only to its own errors, config and commands topics, named exactly:
 * a wildcard could reach other devices' topics. A refused subscription gets SUBACK 0x80
 * [MQTT-3.9.3-2] and the connection stays up.
 */
export function createAuthorizeSubscribe(deps: AuthorizeSubscribeDeps): NonNullable<AedesOptions['authorizeSubscribe']> {
  return (client, subscription, callback) => {
    const session = deps.sessions.get(client);
    const topic = parseDeviceTopic(subscription.topic);
    const allowed =
      session !== undefined &&
      topic !== null &&
      topic.deviceId === session.device.id &&
      DEVICE_SUBSCRIBE_KINDS.has(topic.kind as DeviceTopicKind);
    if (!allowed) {
      deps.metrics.unauthorized.inc({ action: 'subscribe' });
      deps.logger.warn({ clientId: client.id, topic: subscription.topic }, 'subscribe refused');
      return callback(null, null);
    }
    callback(null, subscription);
  };
}
