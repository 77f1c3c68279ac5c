export { HandoffProducer, type HandoffProducerOptions } from './producer.js';
export {
  HandoffConsumer,
  linesOf,
  type HandoffConsumerOptions,
  type HandoffBatch,
  type HandoffRound,
  type HandoffEntryContent,
  type HandoffSegment,
} from './consumer.js';
export { PartitionLeases, type PartitionLeasesOptions, type LeaseHooks } from './leases.js';
export { handoffKeys, handoffMembersKey, INGEST_GROUP } from './keys.js';
export { partitionOf } from './partition.js';
export { fairShare } from './fair-share.js';
export { encodeEntries, type Companion, type CompanionMerge, type EncodedEntry, type HandoffPublish } from './entry.js';
export { readHandoffDepth, readHandoffBacklog, type HandoffDepth } from './depth.js';
export {
  checkDurability,
  replicaWait,
  HandoffNotReplicatedError,
  type DurabilityCheck,
  type HandoffDurability,
  type ReplicaWaitOptions,
} from './durability.js';
