/**
 * What the registry tells every broker over Redis pub/sub (RegistryKeys.controlChannel) when a
 * change must take effect on live connections at once. Published from inside the same Lua
 * script as the change, so a change is never stored without its event.
 */
export type DeviceControlEvent =
  /** Rotated or revoked: the connected device must go, and the old secret must not work again. */
  | { kind: 'credentials-changed'; deviceId: string; credentialVersion: number; revoked: boolean }
  | { kind: 'deleted'; deviceId: string }
  /** City, site or name changed: brokers refresh the live session's tags and tenancy. */
  | { kind: 'updated'; deviceId: string }
  /** A device certificate was revoked (by serial through the API): a connection made with it must go. */
  | { kind: 'certificate-revoked'; deviceId: string; fingerprint: string; serial?: string }
  /** An API token was revoked: operator MQTT logins made with it must go. */
  | { kind: 'token-revoked'; name: string };

export function parseControlEvent(message: string): DeviceControlEvent | undefined {
  try {
    const event = JSON.parse(message) as DeviceControlEvent;
    return typeof event === 'object' && event !== null && typeof event.kind === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}
