import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Aedes } from 'aedes';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS, connectRedis, type LocalBroker } from '@citypulse/core';
import { HandoffProducer } from '@citypulse/handoff';
import { mergeRuleFeedRuns } from '@citypulse/contracts';
import { CommandStore } from '@citypulse/commands';
import { ShadowStore } from '@citypulse/shadow';
import { ApiTokenStore, DeviceRegistry, PresenceStore, ShareStore } from '@citypulse/registry';
import { AuditLog } from '@citypulse/alert-store';
import { DeadLetterStore } from '@citypulse/rejections';
import { Metrics, type Logger } from '@citypulse/observability';
import { quietedDebugNamespaces } from './aedes/quiet-mqtt-packet-debug.js';
import { createAuthenticate } from './hooks/authenticate.js';
import { createPreConnect } from './hooks/pre-connect.js';
import { ConnectWills } from './hooks/will-policy.js';
import { createAuthorizePublish } from './hooks/authorize-publish.js';
import { createAuthorizeSubscribe } from './hooks/authorize-subscribe.js';
import { TelemetryRouting } from './telemetry/telemetry-routing.js';
import { createAuthorizeForward } from './hooks/authorize-forward.js';
import { CredentialCache } from './credential-cache.js';
import { DeviceCities } from './device-cities.js';
import { listenForDeviceControl } from './device-control-listener.js';
import { OperatorSessions } from './operator-sessions.js';
import { BrokerHeartbeat } from './presence/broker-heartbeat.js';
import { DisconnectReasons } from './presence/disconnect-reasons.js';
import { PresenceTracker } from './presence/presence-tracker.js';
import { ConnectLimiter } from './security/connect-limiter.js';
import { countConnectionErrors } from './security/connection-errors.js';
import { CredentialChanges } from './security/credential-changes.js';
import { LoginProofs } from './security/login-proofs.js';
import { Sessions } from './sessions.js';
import { ReceiveClock } from './telemetry/receive-clock.js';
import { RejectionReporter } from './telemetry/rejection-reporter.js';
import { TelemetryIngestor } from './telemetry/telemetry-ingestor.js';
import { CityRateLimiter } from './telemetry/city-rate-limiter.js';
import { CityBudgetStore } from './telemetry/city-budget-store.js';
import { watchBacklog } from './telemetry/backlog-watch.js';
import { handoffDurability } from './telemetry/handoff-durability.js';
import { createDeviceMessageHandlers } from './device-state/device-message-handlers.js';
import { attachDeviceDelivery } from './delivery/device-delivery.js';
import { createBrokerCluster, type BrokerCluster } from './cluster/broker-cluster.js';
import { assertAedesInternals } from './aedes/assert-internals.js';
import { MqttListeners, type ListenerKind } from './transport/mqtt-listeners.js';
import { ReadAdmission } from './transport/read-admission.js';
import { TlsCredentials } from './transport/tls-credentials.js';
import { CertificateLogin } from './hooks/certificate-login.js';
import { DeviceCertificateStore } from '@citypulse/certificates';
import { ShareDirectory } from './shares/share-directory.js';
import { ShareSubscriptions } from './shares/share-subscriptions.js';
import { ShareListeners } from './shares/share-listeners.js';

/** The MQTT broker process part: aedes with citypulse's hooks, on TCP, TLS and WebSocket listeners (transport/). */
@Injectable()
export class MqttBrokerService implements OnApplicationBootstrap, OnApplicationShutdown, LocalBroker {
  private broker?: Aedes;
  private listeners?: MqttListeners;
  private tls?: TlsCredentials;
  private handoffRedis?: RedisClient;
  private controlRedis?: RedisClient;
  private deliveryRedis?: RedisClient;
  private presenceTracker?: PresenceTracker;
  private heartbeat?: BrokerHeartbeat;
  private cluster?: BrokerCluster;
  private shares?: ShareDirectory;
  private shareListeners?: ShareListeners;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly registry: DeviceRegistry,
    private readonly metrics: Metrics,
    private readonly tokens: ApiTokenStore,
    private readonly presence: PresenceStore,
    private readonly deadLetters: DeadLetterStore,
    private readonly shadows: ShadowStore,
    private readonly commands: CommandStore,
    private readonly certificates: DeviceCertificateStore,
    private readonly shareStore: ShareStore,
    private readonly audit: AuditLog,
  ) {}

  /** The bound plain TCP MQTT port (useful when configured as 0); undefined with CP_MQTT_PLAIN=false. */
  get port(): number | undefined {
    return this.listeners?.port('tcp');
  }

  /** The bound port of one listener (tcp, tls, ws, wss), or undefined when it is off. */
  listenerPort(kind: ListenerKind): number | undefined {
    return this.listeners?.port(kind);
  }

  /** Readiness: every listener is bound and aedes not closed. */
  get accepting(): boolean {
    return this.listeners?.listening === true && this.broker?.closed === false;
  }

  /** The aedes instance once started, for publishing server-side messages (alerts to operators' tools). */
  get aedes(): Aedes | undefined {
    return this.broker;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config, metrics, tokens, presence, shadows, commands } = this;
    const logger = this.logger.child({ component: 'broker' });
    const sessions = new Sessions();
    // The hand-off gets its own connection so PUBACK latency never queues behind other traffic.
    this.handoffRedis = connectRedis(config, 'handoff');
    const handoff = new HandoffProducer(this.handoffRedis, {
      prefix: config.redis.prefix,
      partitions: config.handoff.partitions,
      maxEntryReadings: config.handoff.maxEntryReadings,
      maxBacklogReadings: config.handoff.maxBacklogReadings,
      onBacklog: watchBacklog(config.handoff.maxBacklogReadings, metrics, logger),
      confirmWrite: await handoffDurability(this.handoffRedis, config, metrics, logger),
      // A device's publishes handed off together share one rule-feed text: its head written once.
      mergeCompanions: mergeRuleFeedRuns,
    });
    const rejections = new RejectionReporter(() => this.broker!, this.deadLetters, metrics, logger);
    // The city budget shares the hand-off's connection: a block is one short script call, per block of readings.
    const cityRate = new CityRateLimiter(
      config.cityRate,
      new CityBudgetStore(this.handoffRedis, config.redis.prefix),
      logger,
    );
    // Parsed readings are few and short-lived, whatever the devices have in flight (transport/read-admission.ts).
    const admission = new ReadAdmission(config.mqtt.maxParsedReadings, () => metrics.mqttReadPauses.inc());
    const telemetry = new TelemetryIngestor({
      admission,
      handoff,
      rejections,
      clock: new ReceiveClock(),
      limits: config.telemetry,
      metrics,
      cityRate,
    });

    // TLS files are read before anything listens: a bad certificate, key or CA stops start-up, naming the file.
    if (config.mqtt.transport.tls) this.tls = await TlsCredentials.load(config.mqtt.transport.tls, metrics, logger);
    // Security and tenancy: who may connect, and which cities an operator login sees.
    const proofs =
      config.loginProofs.ttlS > 0
        ? new LoginProofs(this.redis, config.redis.prefix, config.loginProofs.ttlS)
        : undefined;
    const credentials = new CredentialCache({ proofs, metrics, logger });
    const changes = new CredentialChanges();
    const operators = new OperatorSessions();
    const cities = new DeviceCities(async (id) => (await this.registry.get(id))?.city);
    const limiter = new ConnectLimiter(this.redis, config.redis.prefix, config.connectLimits);
    const reasons = new DisconnectReasons();
    const wills = new ConnectWills();
    // Clustered, telemetry is routed only where the cluster-wide subscription index has a taker.
    this.cluster = createBrokerCluster(config, { redis: this.redis, logger });
    const telemetryRouting = new TelemetryRouting({
      cluster: this.cluster.index,
      cityOf: (client) => sessions.get(client)?.device.city,
    });

    // Sharing agreements: which operator logins may subscribe to, and receive, a share's live topics.
    const shares = new ShareDirectory(this.shareStore, config.sharing.liveTickMs, (err) =>
      logger.warn({ err }, 'sharing agreements not re-read'),
    );
    this.shares = shares;
    await shares.start();
    this.shareListeners = new ShareListeners(
      this.shareStore,
      config.sharing.liveTickMs,
      (client) => operators.get(client) !== undefined,
      (err) => logger.warn({ err }, 'live share listeners not noted'),
    );
    const shareSubscriptions = new ShareSubscriptions(this.shareStore, shares, this.audit, this.shareListeners);

    const certificates = this.certificateLogin();
    this.broker = await Aedes.createBroker({
      id: config.instanceId,
      ...this.cluster.aedesOptions,
      connectTimeout: config.mqtt.connectTimeoutMs,
      preConnect: createPreConnect({ maxKeepaliveS: config.mqtt.maxKeepaliveS, wills }),
      authenticate: createAuthenticate({
        registry: this.registry,
        tokens,
        credentials,
        changes,
        limiter,
        sessions,
        operators,
        cities,
        wills,
        metrics,
        logger,
        certificates,
      }),
      authorizePublish: createAuthorizePublish({
        sessions,
        telemetry,
        wills,
        metrics,
        logger,
        deviceMessages: createDeviceMessageHandlers({
          broker: () => this.broker!,
          stores: { shadows, commands, registry: this.registry, deadLetters: this.deadLetters },
          config,
          metrics,
          logger,
        }),
      }),
      authorizeSubscribe: createAuthorizeSubscribe({
        sessions,
        operators,
        metrics,
        logger,
        telemetryRouting,
        shares: shareSubscriptions,
      }),
      authorizeForward: createAuthorizeForward({ operators, cities, shares, metrics }),
    });
    // Before anything patches aedes or reads its internals: an aedes upgrade that moved one stops start-up here, naming
    // it.
    assertAedesInternals(this.broker);
    telemetryRouting.install(this.broker);
    this.shareListeners.attach(this.broker);
    await this.cluster.start(this.broker);
    this.presenceTracker = new PresenceTracker(this.broker, sessions, presence, reasons, metrics, logger);
    this.heartbeat = new BrokerHeartbeat(presence, config.instanceId, config.presence.heartbeatMs, logger);
    await this.heartbeat.start();
    this.controlRedis = connectRedis(config, 'device-control');
    const broker = this.broker;
    await listenForDeviceControl(this.controlRedis, this.registry.keys.controlChannel, {
      broker,
      registry: this.registry,
      credentials,
      changes,
      sessions,
      operators,
      cities,
      reasons,
      logger,
      certificates,
    });
    countConnectionErrors(this.broker, metrics, logger);
    // Shadow and commands: desired configs and commands reach the device on whichever broker holds it.
    this.deliveryRedis = connectRedis(config, 'device-delivery');
    await attachDeviceDelivery({
      broker,
      subscriber: this.deliveryRedis,
      prefix: config.redis.prefix,
      sessions,
      shadows,
      commands,
      metrics,
      logger,
    });

    this.listeners = await MqttListeners.start({ broker, config, tls: this.tls, metrics, logger, admission });
    // Whether mqtt-packet's per-packet debug calls are silenced (they are when the process entry loaded it).
    const mqttPacketDebug = quietedDebugNamespaces().length > 0 ? 'silenced' : 'as loaded';
    logger.info(
      { port: this.port, host: config.mqtt.host, cluster: config.mqtt.cluster, mqttPacketDebug },
      'MQTT broker listening',
    );
  }

  /** Client certificates are read on the TLS and WSS listeners (the same device CAs for both). */
  private certificateLogin(): CertificateLogin | undefined {
    const tls = this.tls;
    if (!tls) return undefined;
    return new CertificateLogin(() => tls.current.deviceCas, this.certificates);
  }

  async onApplicationShutdown(): Promise<void> {
    // Stop accepting, then close the broker (which ends every client); server.close only
    // completes once its connections are gone.
    this.tls?.close();
    const serverClosed = this.listeners?.close() ?? Promise.resolve();
    this.presenceTracker?.noteShutdown();
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await serverClosed;
    await this.cluster?.close();
    await this.presenceTracker?.settled();
    await this.heartbeat
      ?.stop()
      .catch((err: Error) => this.logger.warn({ err }, 'could not release this broker’s presence'));
    this.shares?.stop();
    this.shareListeners?.stop();
    this.controlRedis?.disconnect();
    this.deliveryRedis?.disconnect();
    this.handoffRedis?.disconnect();
  }
}
