import type { AedesOptions, Client } from 'aedes';
import type { ApiTokenStore, DeviceRegistry } from '@citypulse/registry';
import { getDeviceType } from '@citypulse/devices';
import type { Logger, Metrics } from '@citypulse/observability';
import type { CredentialCache } from '../credential-cache.js';
import type { DeviceCities } from '../device-cities.js';
import { OPERATOR_USERNAME_PREFIX, type OperatorSessions } from '../operator-sessions.js';
import { clientAddress, type ConnectLimiter, type LimitState } from '../security/connect-limiter.js';
import type { CredentialChanges } from '../security/credential-changes.js';
import { createSession, type Sessions } from '../sessions.js';
import { CONNACK, connackError } from './connack-error.js';
import type { CertificateLogin } from './certificate-login.js';
import type { PresentedCertificate } from '@citypulse/certificates';
import { willAllowed, type ConnectWills } from './will-policy.js';

export interface AuthenticateDeps {
  registry: DeviceRegistry;
  tokens: ApiTokenStore;
  credentials: CredentialCache;
  changes: CredentialChanges;
  limiter: ConnectLimiter;
  sessions: Sessions;
  operators: OperatorSessions;
  cities: DeviceCities;
  /** The will each CONNECT declared (noted by preConnect). */
  wills: ConnectWills;
  metrics: Metrics;
  logger: Logger;
  /** Device login by client certificate on the TLS and WSS listeners; absent without either. */
  certificates?: CertificateLogin;
}

type Code = (typeof CONNACK)[keyof typeof CONNACK];

/** Why a CONNECT failed, and whether it counts against the client address only or the id as well. */
interface Refusal {
  code: Code;
  reason: string;
  message: string;
  /** Counted against the device (or operator) id: the id exists and the secret was wrong or revoked. */
  countsForId?: boolean;
  /** A rate-limit refusal is not itself a failure to count. */
  limited?: boolean;
}

const refusal = (code: Code, reason: string, message: string, extra: Partial<Refusal> = {}): Refusal => ({
  code,
  reason,
  message,
  ...extra,
});

/**
 * CONNECT, as named steps: rate limits → device login (username = client id = device id, password =
 * its secret) or operator login (username `operator:<token name>`, password = an API token) →
 * session. Failures are counted per client address and per id in Redis; while an address is over
 * its limit everything from it is refused with CONNACK 3 *server unavailable* before any work,
 * and while an id is over its limit only a secret some broker already verified gets in, so a
 * device keeps working while someone guesses at its id from elsewhere.
 */
export function createAuthenticate(deps: AuthenticateDeps): NonNullable<AedesOptions['authenticate']> {
  async function authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<Refusal | null> {
    const startedAt = Date.now();
    const address = clientAddress(client.conn);
    const limits = await deps.limiter.check(address, username);
    if (limits.address)
      return refusal(
        CONNACK.serverUnavailable,
        'rate_limited_address',
        'too many failed attempts from this address; try later',
        { limited: true },
      );
    const isOperator = username?.startsWith(OPERATOR_USERNAME_PREFIX) === true;
    if (username && !willAllowed(deps.wills.of(client), isOperator ? undefined : username)) {
      return refusal(
        CONNACK.notAuthorized,
        'will_topic_not_allowed',
        isOperator
          ? 'an operator login may not set a last will'
          : `a last will may only go to devices/${username}/state`,
      );
    }
    const certificate = deps.certificates?.presented(client);
    if (certificate && username && !isOperator)
      return authenticateDevice(client, username, { certificate }, limits, startedAt);
    if (!username || !password)
      return refusal(CONNACK.badUsernameOrPassword, 'missing_credentials', 'username and password are required');
    const secret = password.toString('utf8');
    return isOperator
      ? authenticateOperator(client, username, secret, limits)
      : authenticateDevice(client, username, { secret }, limits, startedAt);
  }

  /** A device proves its id with its secret, or with a client certificate (certificate-login.ts). */
  async function authenticateDevice(
    client: Client,
    id: string,
    proof: { secret: string } | { certificate: PresentedCertificate },
    limits: LimitState,
    startedAt: number,
  ): Promise<Refusal | null> {
    if (client.id !== id)
      return refusal(CONNACK.identifierRejected, 'client_id_mismatch', 'client id must equal the device id');
    const device = await deps.registry.get(id);
    if (!device) return refusal(CONNACK.badUsernameOrPassword, 'unknown_device', 'bad username or password');
    if (device.revoked)
      return refusal(CONNACK.notAuthorized, 'revoked', 'device credentials revoked', { countsForId: true });
    if ('certificate' in proof) {
      const refused = await deps.certificates!.verify(proof.certificate, device);
      if (refused) return refusal(CONNACK.notAuthorized, refused.refused, refused.message, { countsForId: true });
    } else {
      const { secret } = proof;
      if (limits.device && !(await deps.credentials.verifyWithoutScrypt(device, secret))) {
        return refusal(
          CONNACK.serverUnavailable,
          'rate_limited_device',
          'too many failed attempts for this device; try later',
          { limited: true },
        );
      }
      if (!(await deps.credentials.verify(device, secret)))
        return refusal(CONNACK.badUsernameOrPassword, 'wrong_secret', 'bad username or password', {
          countsForId: true,
        });
    }
    // Rotated, revoked or deleted while this CONNECT was verifying what it read before: the answer
    // may be stale either way, so "try again" (3); the retry reads the registry afresh.
    if (deps.changes.changedSince(id, startedAt))
      return refusal(
        CONNACK.serverUnavailable,
        'credentials_changed',
        'device credentials changed during CONNECT; connect again',
      );
    const type = getDeviceType(device.type);
    if (!type)
      return refusal(
        CONNACK.notAuthorized,
        'unknown_device_type',
        `device type ${device.type} is not in the catalogue`,
      );
    deps.sessions.set(client, createSession(device, type));
    deps.cities.set(device.id, device.city);
    return null;
  }

  async function authenticateOperator(
    client: Client,
    username: string,
    token: string,
    limits: LimitState,
  ): Promise<Refusal | null> {
    // Any client id under the login's name (`operator:ops`, `operator:ops:console-2`); device ids cannot contain ':',
    // so an operator can never take over a device's session.
    if (client.id !== username && !client.id.startsWith(`${username}:`)) {
      return refusal(
        CONNACK.identifierRejected,
        'client_id_mismatch',
        `an operator's client id must be ${username} or start with ${username}:`,
      );
    }
    if (limits.device)
      return refusal(
        CONNACK.serverUnavailable,
        'rate_limited_device',
        'too many failed attempts for this login; try later',
        { limited: true },
      );
    // A persistent session would make the broker queue every matching message while the tool is away.
    if (!client.clean)
      return refusal(CONNACK.notAuthorized, 'operator_session_not_clean', 'operator logins must use a clean session');
    const found = await deps.tokens.verify(username.slice(OPERATOR_USERNAME_PREFIX.length), token);
    if (!found)
      return refusal(CONNACK.badUsernameOrPassword, 'wrong_operator_token', 'bad username or password', {
        countsForId: true,
      });
    deps.operators.set(client, { tokenName: found.name, cities: found.cities ? new Set(found.cities) : null });
    return null;
  }

  async function refuse(client: Client, username: string | undefined, r: Refusal): Promise<void> {
    deps.metrics.authFailures.inc({ reason: r.reason });
    if (r.limited)
      deps.metrics.connectRateLimited.inc({ scope: r.reason === 'rate_limited_address' ? 'address' : 'id' });
    deps.logger.warn(
      { clientId: client.id, address: clientAddress(client.conn), reason: r.reason },
      'MQTT CONNECT refused',
    );
    // Counted before the CONNACK goes out, so the next attempt already sees it.
    if (!r.limited) await deps.limiter.recordFailure(clientAddress(client.conn), r.countsForId ? username : undefined);
  }

  return (client, username, password, done) => {
    authenticate(client, username, password)
      .then(async (r) => {
        if (r) await refuse(client, username, r);
        return r;
      })
      .then(
        (r) => done(r ? connackError(r.code, r.message) : null, r === null),
        (err: Error) => {
          deps.logger.error({ err, clientId: client.id }, 'authentication failed unexpectedly');
          done(connackError(CONNACK.serverUnavailable, 'registry unavailable'), false);
        },
      );
  };
}
