import { Inject, Injectable } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS } from '@citypulse/core';
import { alertLiveChannel, alertTopic, type AlertMessage } from '@citypulse/contracts';
import type { Logger } from '@citypulse/observability';
import { MqttBrokerService } from './mqtt-broker.service.js';
import { LiveChannelForwarder, parsed, type LiveRoute } from './live-channel-forwarder.js';

/**
 * Puts alert messages on `alerts/{city}/{severity}` for operators' MQTT tools (the alerts worker
 * announces them on the Redis live channel). Operator logins, what they may subscribe to and which
 * cities they receive are the broker hooks' business (operator-topics.ts, authorize-forward.ts).
 * At-most-once, like the SSE stream: a tool that was away reads GET /alerts.
 */
@Injectable()
export class AlertForwarder extends LiveChannelForwarder {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(REDIS) redis: RedisClient,
    broker: MqttBrokerService,
  ) {
    super(
      config,
      logger.child({ component: 'alert-forwarder' }),
      redis,
      broker,
      'alert',
      alertLiveChannel(config.redis.prefix),
    );
  }

  protected route(json: string): LiveRoute | undefined {
    const message = parsed<AlertMessage>(json);
    return message && { topic: alertTopic(message.alert.city, message.alert.severity), claimId: message.event.id };
  }
}
