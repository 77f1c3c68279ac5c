export { type RedisClient, connectRedis, clusterOptions, openCluster, isCluster, dataNodes } from './redis-client.js';
export { SlotMapWatch, slotMapFingerprint } from './slot-map-watch.js';
export { slotTag } from './slot-tag.js';
export { bullPrefix, bullConnection, bullWorker, type BullWorkerOptions } from './bull.js';
export { waitForJobs } from './wait-for-jobs.js';
export { luaScript, type ScriptRunner } from './lua-script.js';
export { openQueue, queueJobDefaults, bullJobId } from './queues.js';
