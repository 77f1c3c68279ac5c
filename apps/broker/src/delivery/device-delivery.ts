import type { Aedes, Client } from 'aedes';
import type { RedisClient } from '@citypulse/redis';
import { deviceDeliveryChannel, parseDeviceTopic, type DeviceDeliveryNotice } from '@citypulse/contracts';
import type { CommandStore } from '@citypulse/commands';
import type { ShadowStore } from '@citypulse/shadow';
import type { Logger, Metrics } from '@citypulse/observability';
import { connectedClient } from '../aedes/internals.js';
import type { Sessions } from '../sessions.js';
import { CommandDelivery } from './command-delivery.js';
import { ConfigDelivery } from './config-delivery.js';
import { isSubscribed } from './own-subscriptions.js';
import { PubackTracker } from './puback-tracker.js';

export interface DeviceDeliveryDeps {
  broker: Aedes;
  /** A connection of its own: a subscribed ioredis connection can do nothing else. */
  subscriber: RedisClient;
  prefix: string;
  sessions: Sessions;
  shadows: ShadowStore;
  commands: CommandStore;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Gets desired configs and commands to devices, wherever they are connected. The API stores them
 * in Redis and publishes a notice on one channel every broker listens to; the broker that holds
 * the device's connection reads what is due and sends it. A device that is not connected anywhere
 * gets it when it next subscribes to its config or commands topic (at every connect with a clean
 * session), since everything due stays in Redis until then.
 */
export async function attachDeviceDelivery(deps: DeviceDeliveryDeps): Promise<void> {
  const { broker, sessions, logger } = deps;
  const config = new ConfigDelivery(deps.shadows, deps.metrics);
  const commands = new CommandDelivery(deps.commands, new PubackTracker(broker), deps.metrics, logger);

  const deliver = (client: Client, deviceId: string, kind: DeviceDeliveryNotice['kind']) => {
    const work = kind === 'config' ? config.deliver(client, deviceId) : commands.deliver(client, deviceId);
    work.catch((err: Error) =>
      logger.warn({ err, deviceId, kind }, 'delivery to the device failed; it is retried at its next subscribe'),
    );
  };

  // A persistent session (clean = false) gets its subscriptions back at CONNECT without a
  // 'subscribe' event: deliver to those once the CONNACK is out.
  broker.on('clientReady', (client) => {
    const session = sessions.get(client);
    if (!session) return;
    for (const kind of ['config', 'commands'] as const)
      if (isSubscribed(client, session.device.id, kind)) deliver(client, session.device.id, kind);
  });

  // Subscribing is what a (re)connecting device does first, so this is "deliver on connect".
  broker.on('subscribe', (subscriptions, client) => {
    const session = sessions.get(client);
    if (!session) return;
    for (const { topic, qos } of subscriptions) {
      const parsed = parseDeviceTopic(topic);
      // qos 128: a refused subscription is reported back with the granted qos.
      if (!parsed || parsed.deviceId !== session.device.id || (qos as number) === 128) continue;
      if (parsed.kind === 'config' || parsed.kind === 'commands') deliver(client, session.device.id, parsed.kind);
    }
  });

  const channel = deviceDeliveryChannel(deps.prefix);
  deps.subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const notice = parseNotice(message);
    if (!notice) return logger.warn({ message }, 'ignored a malformed delivery notice');
    const client = connectedClient(broker, notice.deviceId);
    // Not here (or not subscribed yet): the subscribe handler delivers it.
    if (!client || !sessions.get(client) || !isSubscribed(client, notice.deviceId, notice.kind)) return;
    deliver(client, notice.deviceId, notice.kind);
  });
  await deps.subscriber.subscribe(channel);
}

function parseNotice(message: string): DeviceDeliveryNotice | undefined {
  try {
    const notice = JSON.parse(message) as DeviceDeliveryNotice;
    return typeof notice?.deviceId === 'string' && (notice.kind === 'config' || notice.kind === 'commands')
      ? notice
      : undefined;
  } catch {
    return undefined;
  }
}
