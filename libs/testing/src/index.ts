export { testConfig, testEnv, uniqueName } from './test-config.js';
export { waitFor } from './wait-for.js';
export { flushPrefix, keysMatching } from './redis.js';
export { AppProcess } from './child-process.js';
export { startRig } from './start-rig.js';
export { PrivateInflux } from './private-influx.js';
export { SteadyPublisher, type PublishingDevice } from './steady-publisher.js';
export { PrivateRedis } from './private-redis.js';
export { freePort, waitForPort } from './free-port.js';
export {
  RawMqttSocket,
  connackCode,
  connectPacket,
  type DeviceLogin,
  type RawSocketOptions,
} from './raw-mqtt-socket.js';
export { mutate, noise, type Mutant } from './mqtt-mutations.js';
export { REDIS_FLAVOURS, clusterTestConfig, testClusterNodes, testRedis } from './redis-flavours.js';
export { TestPki, type TestCa, type IssuedCert, type DeviceCertOptions } from './test-pki.js';
export { PrivateRedisCluster } from './private-redis-cluster.js';
export { S3rverProcess, type S3Endpoint } from './s3rver-process.js';
export { historyLines, type HistorySeries } from './history-lines.js';
export { mattermostMessageProblems, slackMessageProblems, teamsMessageProblems } from './chat-schemas.js';
