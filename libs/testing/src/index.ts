export { testConfig, uniqueName } from './test-config.js';
export { waitFor } from './wait-for.js';
export { flushPrefix } from './redis.js';
