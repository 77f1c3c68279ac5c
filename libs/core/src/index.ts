export { CoreModule } from './core.module.js';
export { StoresModule, redisStore, type RedisStoreClass } from './stores.module.js';
// Re-exported: the apps import these from core since before @citypulse/redis existed.
export { connectRedis, bullPrefix, bullConnection, type RedisClient } from '@citypulse/redis';
export { REDIS, LOGGER, LOCAL_BROKER, type LocalBroker } from './tokens.js';
export { bootstrap, type BootstrapOptions, type RunningApp } from './bootstrap.js';
export { InfluxModule } from './influx.module.js';
export { startApps, type ProcessApp, type RunningApps } from './process-apps.js';
export { runProcess } from './run-process.js';
