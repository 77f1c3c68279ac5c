import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS } from '@citypulse/core';
import { shareTopic, sharedLiveChannel, type SharedLiveMessage } from '@citypulse/contracts';
import type { Logger } from '@citypulse/observability';
import { MqttBrokerService } from '../mqtt-broker.service.js';
import { LiveChannelForwarder, parsed, type LiveRoute } from '../live-channel-forwarder.js';

/**
 * Puts live shared messages (the API's SharedLivePublisher: aggregates for aggregate-only shares,
 * readings only for raw ones) on `shares/{id}/{device type}/{field}` for operators' MQTT tools.
 * Who may subscribe, and who receives each message — the share's receiving cities while it is
 * live — is the hooks' business (operator-topics.ts, authorize-subscribe.ts, authorize-forward.ts).
 */
@Injectable()
export class ShareForwarder extends LiveChannelForwarder {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(REDIS) redis: RedisClient,
    broker: MqttBrokerService,
  ) {
    super(
      config,
      logger.child({ component: 'share-forwarder' }),
      redis,
      broker,
      'share',
      sharedLiveChannel(config.redis.prefix),
    );
  }

  protected route(json: string): LiveRoute | undefined {
    const message = parsed<SharedLiveMessage>(json);
    return (
      message && { topic: shareTopic(message), claimId: createHash('sha256').update(json).digest('hex').slice(0, 32) }
    );
  }
}
