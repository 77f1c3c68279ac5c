/** Why a device went offline, as recorded and emitted. */
export type OfflineReason =
  /** It sent DISCONNECT: a clean goodbye (its last will, if any, is discarded [MQTT-3.14.4-3]). */
  | 'disconnect'
  /** The connection dropped without DISCONNECT: its last will, if it set one, was published. */
  | 'connection_lost'
  /** Nothing arrived for 1.5 × its keep-alive [MQTT-3.1.2-24]; its last will was published. */
  | 'keepalive_timeout'
  /** The broker closed it: credentials rotated or revoked, device deleted, or a protocol violation. */
  | 'closed_by_broker'
  /** Its broker shut down. */
  | 'broker_shutdown'
  /** Its broker stopped renewing its heartbeat (crashed or cut off); another broker marked it offline. */
  | 'broker_lost';

export interface Presence {
  online: boolean;
  brokerId?: string;
  /** When the current (or last) connection was accepted. */
  connectedSince?: string;
  /**
   * Last time the broker knew it was there: the connect time while online, the disconnect time after.
   * The API shows the later of this and the device's newest stored reading (so it advances while it publishes).
   */
  lastSeen?: string;
  offlineReason?: OfflineReason;
  /** Whether the broker published the device's last will when it went offline. */
  lastWill?: boolean;
}

/** Published on RegistryKeys.presenceChannel at every change, by whichever broker made it. */
export interface PresenceEvent {
  deviceId: string;
  city: string;
  online: boolean;
  at: string;
  brokerId: string;
  reason?: OfflineReason;
  lastWill?: boolean;
}

export interface CityCounts {
  online: number;
  offline: number;
}
