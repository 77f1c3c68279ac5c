import type { AedesOptions } from 'aedes';
import type { DeviceCities } from '../device-cities.js';
import type { OperatorSessions } from '../operator-sessions.js';
import { cityOfTopic } from '../operator-topics.js';

export interface AuthorizeForwardDeps {
  operators: OperatorSessions;
  cities: DeviceCities;
}

/**
 * Cities are tenants: a city-scoped operator login receives only messages of its cities' devices
 * (and alerts). Topics do not carry the city, so it comes from the device registry; a message
 * whose city is not known yet is not delivered (fail closed). Devices and cluster-wide operators
 * pass straight through — this runs for every delivered message.
 */
export function createAuthorizeForward(deps: AuthorizeForwardDeps): NonNullable<AedesOptions['authorizeForward']> {
  return (client, packet) => {
    const operator = deps.operators.get(client);
    if (!operator || operator.cities === null) return packet;
    const city = cityOfTopic(packet.topic, deps.cities);
    return city !== undefined && operator.cities.has(city) ? packet : null;
  };
}
