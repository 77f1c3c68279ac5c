export { CoreModule, connectRedis, bullPrefix } from './core.module.js';
export { REDIS, LOGGER, LOCAL_BROKER, type LocalBroker } from './tokens.js';
export { bootstrap, type BootstrapOptions, type RunningApp } from './bootstrap.js';
export { InfluxModule } from './influx.module.js';
