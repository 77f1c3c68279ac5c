// Public entry of @citypulse/device-client: the device-side client firmware authors build on
// (the catalogue and checks it follows are @citypulse/devices, libs/devices).
export {
  DeviceClient,
  type DeviceClientOptions,
  type DeviceClientEvents,
  type DeviceClientStats,
  type DeviceReading,
  type CommandHandler,
  type ConfigHandler,
} from './client/device-client.js';
export { backoffDelayMs, DEFAULT_BACKOFF, type BackoffOptions } from './client/backoff.js';
export { FirmwareUpdater, type FirmwareUpdaterOptions } from './client/firmware/firmware-updater.js';
export { downloadImage, DownloadError, type DownloadOptions } from './client/firmware/download-image.js';
export { OfflineBuffer } from './client/offline-buffer.js';
