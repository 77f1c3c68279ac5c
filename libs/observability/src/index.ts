export { createLogger, type DestinationStream, type Logger } from './logger.js';
export { Metrics } from './metrics.js';
