import type { AedesOptions } from 'aedes';
import { effectiveKeepaliveS } from './keepalive-policy.js';
import type { ConnectWills } from './will-policy.js';

export interface PreConnectDeps {
  maxKeepaliveS: number;
  wills: ConnectWills;
}

/**
 * Runs on the CONNECT packet before aedes reads it: holds the keep-alive to the server maximum
 * (aedes arms its timer from `packet.keepalive`), notes the will for authenticate, and clears the
 * will's retain flag so the broker never stores a device's message to replay later.
 */
export function createPreConnect(deps: PreConnectDeps): NonNullable<AedesOptions['preConnect']> {
  return (client, packet, callback) => {
    packet.keepalive = effectiveKeepaliveS(packet.keepalive, deps.maxKeepaliveS);
    if (packet.will) packet.will.retain = false;
    deps.wills.note(client, packet.will);
    callback(null, true);
  };
}
