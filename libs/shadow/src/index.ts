// Public entry of @citypulse/shadow: desired and reported device configuration in Redis.
export { ShadowStore, type DesiredUpdate } from './shadow-store.js';
export { shadowDelta } from './delta.js';
export type { Shadow, ConfigPatch } from './shadow.js';
