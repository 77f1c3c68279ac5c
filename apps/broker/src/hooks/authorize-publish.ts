import type { AedesOptions } from 'aedes';
import { DEVICE_PUBLISH_KINDS, parseDeviceTopic, type DeviceTopicKind } from '@citypulse/contracts';
import type { Logger, Metrics } from '@citypulse/observability';
import type { DeviceMessageHandlers } from '../device-state/device-message-handlers.js';
import type { Sessions } from '../sessions.js';
import type { TelemetryIngestor } from '../telemetry/telemetry-ingestor.js';
import { willAllowed, type ConnectWills } from './will-policy.js';

export interface AuthorizePublishDeps {
  sessions: Sessions;
  telemetry: TelemetryIngestor;
  deviceMessages: DeviceMessageHandlers;
  wills: ConnectWills;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Every PUBLISH passes here before aedes sends PUBACK, which makes this the place for the
 * durable hand-off: the callback runs only once accepted readings are in Redis (and a reported
 * state or command ack is stored). Bad payloads are answered on the device's error topic and
 * still acknowledged; only a storage failure withholds the PUBACK.
 * A device may publish only to its own telemetry, state and command-ack topics; anything else
 * closes the connection, as MQTT 3.1.1 has no negative PUBACK [MQTT-3.3.5-2]. A last will (aedes
 * passes it here on an unclean end) goes only to the device's state topic, whatever slipped past
 * CONNECT. The retain flag is cleared: the broker never stores a device's message to replay it,
 * without its receive time, to later subscribers; the message itself is handled as usual.
 */
export function createAuthorizePublish(deps: AuthorizePublishDeps): NonNullable<AedesOptions['authorizePublish']> {
  // Counted on every PUBLISH (~40k/s): children bound once, so an increment is a field add.
  const received = new Map(
    [...DEVICE_PUBLISH_KINDS].map((kind) => [kind as string, deps.metrics.mqttMessagesReceived.labels(kind)]),
  );
  const receivedElsewhere = deps.metrics.mqttMessagesReceived.labels('other');
  return (client, packet, callback) => {
    const session = deps.sessions.get(client);
    const topic =
      packet.topic === session?.telemetryTopic.name ? session.telemetryTopic : parseDeviceTopic(packet.topic);
    (received.get(topic?.kind ?? '') ?? receivedElsewhere).inc();
    const refused =
      !session ||
      !topic ||
      topic.deviceId !== session.device.id ||
      !DEVICE_PUBLISH_KINDS.has(topic.kind as DeviceTopicKind) ||
      (deps.wills.isWill(client, packet) && !willAllowed(packet, session.device.id));
    if (refused) {
      deps.metrics.unauthorized.inc({ action: 'publish' });
      deps.logger.warn({ clientId: client?.id, topic: packet.topic }, 'publish refused: not the device’s own topic');
      return callback(new Error(`not authorised to publish to ${packet.topic}`));
    }
    packet.retain = false;
    const payload = packet.payload as Buffer;
    const handled =
      topic.kind === 'telemetry'
        ? deps.telemetry.ingest(session, packet.topic, payload)
        : topic.kind === 'state'
          ? deps.deviceMessages.state(session, payload)
          : deps.deviceMessages.commandAck(session, payload);
    handled.then(
      () => callback(null),
      // No PUBACK: the device keeps the message and sends it again after reconnecting.
      (err: Error) => {
        deps.logger.error({ err, clientId: client?.id }, 'hand-off failed; closing connection without PUBACK');
        callback(err);
      },
    );
  };
}
