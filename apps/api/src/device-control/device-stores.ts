import type { Provider } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { REDIS } from '@citypulse/core';
import { CommandStore } from '@citypulse/commands';
import { ShadowStore } from '@citypulse/shadow';
import { AuditLog } from '@citypulse/alert-store';

/** The shadow and command stores (and the audit log their changes go to) on the process's main Redis connection. */
export const DEVICE_CONTROL_STORES: Provider[] = [
  { provide: ShadowStore, inject: [REDIS, APP_CONFIG], useFactory: (redis: RedisClient, config: AppConfig) => new ShadowStore(redis, config.redis.prefix) },
  { provide: AuditLog, inject: [REDIS, APP_CONFIG], useFactory: (redis: RedisClient, config: AppConfig) => new AuditLog(redis, config.redis.prefix) },
  { provide: CommandStore, inject: [REDIS, APP_CONFIG], useFactory: (redis: RedisClient, config: AppConfig) => new CommandStore(redis, config.redis.prefix, config.commands) },
];
