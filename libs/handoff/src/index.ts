export { HandoffProducer, type HandoffProducerOptions } from './producer.js';
export { HandoffConsumer, type HandoffConsumerOptions, type HandoffBatch } from './consumer.js';
export { handoffKeys, INGEST_GROUP } from './keys.js';
export { encodeEntries, rulesFeed, type EncodedEntry } from './entry.js';
export { readHandoffDepth, type HandoffDepth } from './depth.js';
