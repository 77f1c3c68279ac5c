import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import type { AppConfig } from '@citypulse/config';
import { connectRedis } from '@citypulse/core';
import type { Logger } from '@citypulse/observability';
import type { MqttBrokerService } from './mqtt-broker.service.js';

/** How long a forwarded message's claim is kept: live messages are announced once, within seconds. */
const CLAIM_TTL_MS = 10 * 60_000;

/** Where one message goes: its MQTT topic, and what identifies it among brokers sharing a topic tree. */
export interface LiveRoute {
  topic: string;
  claimId: string;
}

/**
 * Puts the messages of a Redis live channel on MQTT topics for operators' tools. The producer may
 * run in another process, so messages come over Redis; every broker process publishes them to its
 * own clients (brokers do not share subscriptions, so none is delivered twice) — unless brokers
 * share one topic tree (CP_MQTT_CLUSTER=redis), where one publish reaches every broker's operators
 * and so exactly one broker, the first to claim the message, publishes it. Who may subscribe and
 * who receives a message are the broker hooks' business. At-most-once.
 */
export abstract class LiveChannelForwarder implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscriber?: RedisClient;

  protected constructor(
    protected readonly config: AppConfig,
    private readonly logger: Logger,
    private readonly redis: RedisClient,
    private readonly broker: MqttBrokerService,
    /** Names the messages in log lines and claim keys, e.g. `alert`. */
    private readonly what: string,
    private readonly channel: string,
  ) {}

  /** The message's route; undefined when it cannot be read (skipped). */
  protected abstract route(json: string): LiveRoute | undefined;

  async onApplicationBootstrap(): Promise<void> {
    this.subscriber = connectRedis(this.config, `${this.what}-forwarder`);
    this.subscriber.on('message', (_channel: string, json: string) => {
      this.forward(json).catch((err: Error) =>
        this.logger.warn({ err }, `${this.what} message not forwarded over MQTT`),
      );
    });
    await this.subscriber.subscribe(this.channel);
  }

  private async forward(json: string): Promise<void> {
    const aedes = this.broker.aedes;
    if (!aedes) return;
    const route = this.route(json);
    if (!route) return;
    if (this.config.mqtt.cluster === 'redis' && !(await this.claim(route.claimId))) return;
    aedes.publish(
      { cmd: 'publish', topic: route.topic, payload: Buffer.from(json), qos: 0, retain: false, dup: false },
      (err) => {
        if (err) this.logger.warn({ err, topic: route.topic }, `${this.what} message not published over MQTT`);
      },
    );
  }

  /** True for the one broker of a cluster that gets to publish this message (the claim outlives any redelivery). */
  private async claim(claimId: string): Promise<boolean> {
    const key = `${this.config.redis.prefix}:mqtt:${this.what}-forwarded:${claimId}`;
    return (await this.redis.set(key, this.config.instanceId, 'PX', CLAIM_TTL_MS, 'NX')) === 'OK';
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}

/** JSON.parse, or undefined for a malformed message. */
export function parsed<T>(json: string): T | undefined {
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}
