import type { AedesOptions, Client } from 'aedes';
import type { DeviceRegistry } from '@citypulse/registry';
import { getDeviceType } from '@citypulse/devices';
import type { Logger, Metrics } from '@citypulse/observability';
import type { CredentialCache } from '../credential-cache.js';
import { createSession, type Sessions } from '../sessions.js';
import { CONNACK, connackError } from './connack-error.js';

export interface AuthenticateDeps {
  registry: DeviceRegistry;
  credentials: CredentialCache;
  sessions: Sessions;
  metrics: Metrics;
  logger: Logger;
}

/**
 * CONNECT: the username is the device id, the password its secret, and the client id must be
 * the device id too (so one device holds one session, and a second connection takes it over).
 */
export function createAuthenticate(deps: AuthenticateDeps): NonNullable<AedesOptions['authenticate']> {
  const refuse = (client: Client, code: (typeof CONNACK)[keyof typeof CONNACK], reason: string, message: string) => {
    deps.metrics.authFailures.inc({ reason });
    deps.logger.warn({ clientId: client.id, reason }, 'MQTT CONNECT refused');
    return connackError(code, message);
  };

  async function authenticate(client: Client, username: string | undefined, password: Buffer | undefined) {
    if (!username || !password) return refuse(client, CONNACK.badUsernameOrPassword, 'missing_credentials', 'username and password are required');
    if (client.id !== username) return refuse(client, CONNACK.identifierRejected, 'client_id_mismatch', 'client id must equal the device id');
    const device = await deps.registry.get(username);
    if (!device) return refuse(client, CONNACK.badUsernameOrPassword, 'unknown_device', 'bad username or password');
    if (device.revoked) return refuse(client, CONNACK.notAuthorized, 'revoked', 'device credentials revoked');
    if (!(await deps.credentials.verify(device, password.toString('utf8')))) {
      return refuse(client, CONNACK.badUsernameOrPassword, 'wrong_secret', 'bad username or password');
    }
    const type = getDeviceType(device.type);
    if (!type) return refuse(client, CONNACK.notAuthorized, 'unknown_device_type', `device type ${device.type} is not in the catalogue`);
    deps.sessions.set(client, createSession(device, type));
    return null;
  }

  return (client, username, password, done) => {
    authenticate(client, username, password).then(
      (error) => done(error, error === null),
      (err: Error) => {
        deps.logger.error({ err, clientId: client.id }, 'authentication failed unexpectedly');
        done(connackError(CONNACK.serverUnavailable, 'registry unavailable'), false);
      },
    );
  };
}
