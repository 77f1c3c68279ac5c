import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS, connectRedis } from '@citypulse/core';
import { alertLiveChannel, alertTopic, type AlertMessage } from '@citypulse/contracts';
import type { Logger } from '@citypulse/observability';
import { MqttBrokerService } from './mqtt-broker.service.js';

/** How long a forwarded event's claim is kept: live messages are announced once, within seconds. */
const CLAIM_TTL_MS = 10 * 60_000;

/**
 * Puts alert messages on `alerts/{city}/{severity}` for operators' MQTT tools. The alerts worker
 * may run in another process, so messages come over the Redis live channel; every broker process
 * publishes them to its own clients (brokers do not share subscriptions, so none is delivered
 * twice) — unless brokers share one topic tree (CP_MQTT_CLUSTER=redis), where one publish reaches
 * every broker's operators and so exactly one broker, the first to claim the event, publishes it.
 * Operator logins, what they may subscribe to and which cities they receive are the
 * broker hooks' business (operator-topics.ts, authorize-forward.ts). At-most-once, like the SSE
 * stream: a tool that was away reads GET /alerts.
 */
@Injectable()
export class AlertForwarder implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscriber?: RedisClient;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(REDIS) private readonly redis: RedisClient,
    private readonly broker: MqttBrokerService,
  ) {
    this.logger = logger.child({ component: 'alert-forwarder' });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = connectRedis(this.config, 'alert-forwarder');
    this.subscriber.on('message', (_channel: string, json: string) => {
      this.forward(json).catch((err: Error) => this.logger.warn({ err }, 'alert message not forwarded over MQTT'));
    });
    await this.subscriber.subscribe(alertLiveChannel(this.config.redis.prefix));
  }

  private async forward(json: string): Promise<void> {
    const aedes = this.broker.aedes;
    if (!aedes) return;
    let message: AlertMessage;
    try {
      message = JSON.parse(json) as AlertMessage;
    } catch {
      return;
    }
    if (this.config.mqtt.cluster === 'redis' && !(await this.claim(message.event.id))) return;
    const topic = alertTopic(message.alert.city, message.alert.severity);
    aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(json), qos: 0, retain: false, dup: false }, (err) => {
      if (err) this.logger.warn({ err, topic }, 'alert message not published over MQTT');
    });
  }

  /** True for the one broker of a cluster that gets to publish this event (the claim outlives any redelivery). */
  private async claim(eventId: string): Promise<boolean> {
    const key = `${this.config.redis.prefix}:mqtt:alert-forwarded:${eventId}`;
    return (await this.redis.set(key, this.config.instanceId, 'PX', CLAIM_TTL_MS, 'NX')) === 'OK';
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}
