export { testConfig, testEnv, uniqueName } from './test-config.js';
export { waitFor } from './wait-for.js';
export { flushPrefix } from './redis.js';
export { AppProcess } from './child-process.js';
export { PrivateInflux } from './private-influx.js';
export { SteadyPublisher, type PublishingDevice } from './steady-publisher.js';
export { PrivateRedis } from './private-redis.js';
export { freePort } from './free-port.js';
