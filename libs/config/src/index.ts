export { loadConfig, ConfigError } from './load-config.js';
export type { AppConfig } from './app-config.js';
export { APP_CONFIG } from './tokens.js';
export type { DeviceCaFile, MqttTransportConfig } from './mqtt-transport.js';
export type { DeviceCertificatesConfig } from './device-certificates.js';
export type { FirmwareConfig } from './firmware.js';
export type { FirmwareS3Config } from './firmware-s3.js';
export type { RetentionConfig, RetentionDuration } from './retention.js';
