/** Injection tokens for process-wide resources that are not classes. */
export const REDIS = Symbol('REDIS');
export const LOGGER = Symbol('LOGGER');

/**
 * The MQTT broker running in this process, if any (all-in-one): readiness asks it directly
 * whether it is accepting connections.
 */
export const LOCAL_BROKER = Symbol('LOCAL_BROKER');
export interface LocalBroker {
  /** Listening on its port with aedes open: a device connecting now would be served. */
  readonly accepting: boolean;
}
