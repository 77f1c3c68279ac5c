export * from './topics.js';
export * from './reading.js';
export * from './rejection.js';
export * from './queues.js';
export * from './rule-job.js';
export * from './device-messages.js';
export * from './shares.js';
export * from './rule-feed-text.js';
