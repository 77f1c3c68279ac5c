import { Global, Module, type FactoryProvider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import type { RedisClient } from '@citypulse/redis';
import { ApiTokenStore, DeviceRegistry, PresenceStore, ShareStore } from '@citypulse/registry';
import { AlertStore, AuditLog, LastSeenIndex, ReplaySessions } from '@citypulse/alert-store';
import { ChannelRepository, MaintenanceRepository, RuleRepository, WebhookRepository } from '@citypulse/alert-config';
import { DeadLetterStore } from '@citypulse/rejections';
import { ShadowStore } from '@citypulse/shadow';
import { CommandStore } from '@citypulse/commands';
import { DeviceCertificateStore } from '@citypulse/certificates';
import { JobStore } from '@citypulse/jobs';
import { LatestIndicatorValues } from '@citypulse/indicators';
import { REDIS } from './tokens.js';

/** A store: state in Redis under the deployment's key prefix, over the connection it is given. */
export type RedisStoreClass<T> = new (redis: RedisClient, prefix: string) => T;

/**
 * The provider of a store, injected by its class: one instance on the process's main Redis
 * connection under the deployment's prefix. `build` for a store that also takes part of the
 * configuration. A store on a connection of its own (the hand-off's, a WATCH connection) is not
 * provided: its owner opens that connection and builds it.
 */
export function redisStore<T>(store: RedisStoreClass<T>): FactoryProvider<T>;
export function redisStore<T>(
  store: abstract new (...args: never[]) => T,
  build: (redis: RedisClient, config: AppConfig) => T,
): FactoryProvider<T>;
export function redisStore<T>(
  store: abstract new (...args: never[]) => T,
  build?: (redis: RedisClient, config: AppConfig) => T,
): FactoryProvider<T> {
  const make =
    build ?? ((redis: RedisClient, config: AppConfig) => new (store as RedisStoreClass<T>)(redis, config.redis.prefix));
  return { provide: store, inject: [REDIS, APP_CONFIG], useFactory: make };
}

/**
 * Every store of the libs, each built once per process (the all-in-one's apps share them). A
 * controller or service takes the store it needs in its constructor, by class, instead of building
 * its own from REDIS and the prefix (sharing agreements too: the API and the brokers read them).
 * A store only some apps use is provided by those apps with `redisStore`: FirmwareCatalogue (the
 * API and alerts apps), whose lib also brings the S3 client, which the broker and ingest processes
 * need not load. The broker's city budgets are built on its hand-off connection, not provided.
 */
const STORES: FactoryProvider[] = [
  redisStore(DeviceRegistry),
  redisStore(ApiTokenStore),
  redisStore(PresenceStore),
  redisStore(ShareStore),
  redisStore(AlertStore),
  redisStore(AuditLog),
  redisStore(LastSeenIndex),
  redisStore(ReplaySessions),
  redisStore(RuleRepository),
  redisStore(MaintenanceRepository),
  redisStore(WebhookRepository),
  redisStore(ChannelRepository),
  redisStore(DeadLetterStore),
  redisStore(ShadowStore),
  redisStore(CommandStore, (redis, config) => new CommandStore(redis, config.redis.prefix, config.commands)),
  redisStore(DeviceCertificateStore),
  redisStore(JobStore),
  redisStore(LatestIndicatorValues),
];

@Global()
@Module({ providers: STORES, exports: STORES.map((store) => store.provide) })
export class StoresModule {}
