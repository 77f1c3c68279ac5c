export { DeviceRegistry, DeviceExistsError, InvalidDeviceIdError } from './device-registry.js';
export { type DeviceRecord, type DevicePublic, type NewDevice, toPublic, DEVICE_ID_PATTERN } from './device.js';
export { generateSecret, hashSecret, verifySecret } from './secrets.js';
export { PresenceStore, type Presence } from './presence-store.js';
