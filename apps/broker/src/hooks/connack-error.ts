import type { AuthenticateError } from 'aedes';

/** MQTT 3.1.1 CONNACK return codes [MQTT-3.2.2.3]. */
export const CONNACK = {
  identifierRejected: 2,
  serverUnavailable: 3,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
} as const;

export function connackError(returnCode: (typeof CONNACK)[keyof typeof CONNACK], message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}
