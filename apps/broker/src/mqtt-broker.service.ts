import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS, connectRedis } from '@citypulse/core';
import { HandoffProducer } from '@citypulse/handoff';
import { DeviceRegistry, PresenceStore } from '@citypulse/registry';
import { DeadLetterStore } from '@citypulse/rejections';
import { Metrics, type Logger } from '@citypulse/observability';
import { createAuthenticate } from './hooks/authenticate.js';
import { createAuthorizePublish } from './hooks/authorize-publish.js';
import { createAuthorizeSubscribe } from './hooks/authorize-subscribe.js';
import { CredentialCache } from './credential-cache.js';
import { Sessions } from './sessions.js';
import { trackPresence } from './presence-tracker.js';
import { ReceiveClock } from './telemetry/receive-clock.js';
import { RejectionReporter } from './telemetry/rejection-reporter.js';
import { TelemetryIngestor } from './telemetry/telemetry-ingestor.js';
import { watchBacklog } from './telemetry/backlog-watch.js';

/** The MQTT broker process part: aedes with citypulse's hooks, on a plain TCP listener. */
@Injectable()
export class MqttBrokerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private broker?: Aedes;
  private server?: Server;
  private handoffRedis?: Redis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: DeviceRegistry,
    private readonly metrics: Metrics,
  ) {}

  /** The bound MQTT port (useful when configured as 0). */
  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  /** The aedes instance once started, for publishing server-side messages (alerts to operators' tools). */
  get aedes(): Aedes | undefined {
    return this.broker;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config, metrics } = this;
    const logger = this.logger.child({ component: 'broker' });
    const sessions = new Sessions();
    // The hand-off gets its own connection so PUBACK latency never queues behind other traffic.
    this.handoffRedis = connectRedis(config, 'handoff');
    const handoff = new HandoffProducer(this.handoffRedis, {
      prefix: config.redis.prefix,
      maxEntryReadings: config.handoff.maxEntryReadings,
      maxBacklogReadings: config.handoff.maxBacklogReadings,
      onBacklog: watchBacklog(config.handoff.maxBacklogReadings, metrics, logger),
    });
    const rejections = new RejectionReporter(() => this.broker!, new DeadLetterStore(this.redis, config.redis.prefix), metrics, logger);
    const telemetry = new TelemetryIngestor({ handoff, rejections, clock: new ReceiveClock(), limits: config.telemetry, metrics });

    this.broker = await Aedes.createBroker({
      id: config.instanceId,
      authenticate: createAuthenticate({ registry: this.registry, credentials: new CredentialCache(), sessions, metrics, logger }),
      authorizePublish: createAuthorizePublish({ sessions, telemetry, metrics, logger }),
      authorizeSubscribe: createAuthorizeSubscribe({ sessions, metrics, logger }),
    });
    trackPresence(this.broker, sessions, new PresenceStore(this.redis, config.redis.prefix), metrics, logger);
    this.broker.on('clientError', (client, err) => logger.debug({ clientId: client?.id, err: err.message }, 'client error'));

    // noDelay: Nagle would hold small PUBACKs back ~10 ms.
    this.server = createServer({ noDelay: true }, (socket) => this.broker!.handle(socket));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(config.mqtt.port, config.mqtt.host, resolve);
    });
    logger.info({ port: this.port, host: config.mqtt.host }, 'MQTT broker listening');
  }

  async onApplicationShutdown(): Promise<void> {
    // Stop accepting, then close the broker (which ends every client); server.close only
    // completes once its connections are gone.
    const serverClosed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await serverClosed;
    this.handoffRedis?.disconnect();
  }
}
