export { DeviceRegistry, DeviceExistsError, InvalidDeviceIdError, type Issued } from './device-registry.js';
export {
  type DeviceRecord,
  type DevicePublic,
  type NewDevice,
  type DevicePatch,
  type DeviceQuery,
  type FirmwareUpdateProgress,
  toPublic,
  DEVICE_ID_PATTERN,
  CITY_PATTERN,
  SITE_PATTERN,
} from './device.js';
export {
  generateSecret,
  hashSecret,
  hashSecrets,
  verifySecret,
  hashParams,
  DEFAULT_SCRYPT,
  type ScryptParams,
} from './secrets.js';
export { PresenceStore } from './presence-store.js';
export type { Presence, PresenceEvent, OfflineReason, CityCounts } from './presence.js';
export { type DeviceControlEvent, parseControlEvent } from './device-control.js';
export { ApiTokenStore, TokenExistsError, TOKEN_NAME_PATTERN, type ApiToken, type TokenRole } from './api-tokens.js';
export { RegistryKeys } from './keys.js';
export { planDeviceQuery, type QueryPlan } from './device-query.js';
export {
  ShareStore,
  shareStatus,
  liveReceivers,
  isTotals,
  WHOLE_CLUSTER,
  type ShareAgreement,
  type ShareGranularity,
  type TotalsGranularity,
  type ShareState,
  type ShareStatus,
  type AlertShareSelector,
} from './share-store.js';
export { DistrictMap, DISTRICT_PATTERN, type District, type CityDistricts } from './district-map.js';
