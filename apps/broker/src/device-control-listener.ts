import type { Aedes } from 'aedes';
import type { RedisClient } from '@citypulse/redis';
import { getDeviceType } from '@citypulse/devices';
import { parseControlEvent, type DeviceControlEvent, type DeviceRegistry } from '@citypulse/registry';
import type { Logger } from '@citypulse/observability';
import { connectedClient, connectedClients } from './aedes/internals.js';
import type { CredentialCache } from './credential-cache.js';
import type { DeviceCities } from './device-cities.js';
import type { OperatorSessions } from './operator-sessions.js';
import type { DisconnectReasons } from './presence/disconnect-reasons.js';
import type { CredentialChanges } from './security/credential-changes.js';
import { createSession, type Sessions } from './sessions.js';
import type { CertificateLogin } from './hooks/certificate-login.js';

export interface DeviceControlDeps {
  broker: Aedes;
  registry: DeviceRegistry;
  credentials: CredentialCache;
  changes: CredentialChanges;
  sessions: Sessions;
  operators: OperatorSessions;
  cities: DeviceCities;
  reasons: DisconnectReasons;
  logger: Logger;
  /** Certificate logins (TLS and WSS listeners); absent without either. */
  certificates?: CertificateLogin;
}

/**
 * Acts on the registry's control channel on every broker, so a change reaches the connection
 * wherever the device is: rotated, revoked or deleted → forget the cached secret and close the
 * connection at once; moved to another city or site → refresh the live session's tags; an API
 * token revoked → close the operator logins made with it; a device certificate revoked → close
 * the device's connection if it logged in with that certificate.
 */
export async function listenForDeviceControl(
  subscriber: RedisClient,
  channel: string,
  deps: DeviceControlDeps,
): Promise<void> {
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    const event = parseControlEvent(message);
    if (!event) return deps.logger.warn({ message }, 'ignored a malformed device-control event');
    handle(event, deps).catch((err: Error) => deps.logger.warn({ err, event }, 'device-control event failed'));
  });
  await subscriber.subscribe(channel);
}

async function handle(event: DeviceControlEvent, deps: DeviceControlDeps): Promise<void> {
  switch (event.kind) {
    case 'credentials-changed':
    case 'deleted': {
      deps.changes.record(event.deviceId);
      deps.credentials.forget(event.deviceId);
      if (event.kind === 'deleted') deps.cities.forget(event.deviceId);
      const client = connectedClient(deps.broker, event.deviceId);
      if (client && deps.sessions.get(client)) {
        deps.logger.info(
          { deviceId: event.deviceId, kind: event.kind },
          'closing the connection of a device whose credentials changed',
        );
        deps.reasons.close(client, 'closed_by_broker');
      }
      return;
    }
    case 'updated': {
      const device = await deps.registry.get(event.deviceId);
      if (!device) return;
      deps.cities.set(device.id, device.city);
      const client = connectedClient(deps.broker, device.id);
      const session = client ? deps.sessions.get(client) : undefined;
      const type = getDeviceType(device.type);
      // Only the tags change; a credential change arrives as its own event.
      if (client && session && type)
        deps.sessions.set(client, createSession({ ...device, secretHash: session.device.secretHash }, type));
      return;
    }
    case 'certificate-revoked': {
      // A CONNECT of this device still verifying may have read the certificate as valid: it gets
      // "connect again" (3) rather than a session; a session already made is closed below.
      deps.changes.record(event.deviceId);
      const client = connectedClient(deps.broker, event.deviceId);
      if (client && deps.sessions.get(client) && deps.certificates?.presentedFingerprint(client, event.fingerprint)) {
        deps.logger.info(
          { deviceId: event.deviceId, serial: event.serial },
          'closing the connection of a device whose certificate was revoked',
        );
        deps.reasons.close(client, 'closed_by_broker');
      }
      return;
    }
    case 'token-revoked': {
      for (const client of connectedClients(deps.broker)) {
        if (deps.operators.get(client)?.tokenName === event.name) deps.reasons.close(client, 'closed_by_broker');
      }
      return;
    }
  }
}
