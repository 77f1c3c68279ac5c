export { CoreModule, connectRedis, bullPrefix } from './core.module.js';
export { REDIS, LOGGER } from './tokens.js';
export { bootstrap, type BootstrapOptions, type RunningApp } from './bootstrap.js';
export { InfluxModule } from './influx.module.js';
