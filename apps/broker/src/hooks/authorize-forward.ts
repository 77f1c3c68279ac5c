import type { AedesOptions } from 'aedes';
import type { Metrics } from '@citypulse/observability';
import type { DeviceCities } from '../device-cities.js';
import type { OperatorSessions } from '../operator-sessions.js';
import { cityOfTopic, shareOfTopic } from '../operator-topics.js';
import type { ShareDirectory } from '../shares/share-directory.js';

export interface AuthorizeForwardDeps {
  operators: OperatorSessions;
  cities: DeviceCities;
  shares: ShareDirectory;
  metrics: Metrics;
}

/**
 * Cities are tenants: a city-scoped operator login receives only messages of its cities' devices
 * (and alerts). Topics do not carry the city, so it comes from the device registry; a message
 * whose city is not known yet is not delivered (fail closed). A share's live messages reach only
 * its receiving cities' operators, and nobody once it is revoked or expired (ShareDirectory).
 * Devices and cluster-wide operators pass straight through otherwise — this runs for every
 * delivered message.
 */
export function createAuthorizeForward(deps: AuthorizeForwardDeps): NonNullable<AedesOptions['authorizeForward']> {
  // aedes asks once per subscriber and message: what passes here is a delivery. Children bound once.
  const toDevice = deps.metrics.mqttMessagesDelivered.labels('device');
  const toOperator = deps.metrics.mqttMessagesDelivered.labels('operator');
  return (client, packet) => {
    const operator = deps.operators.get(client);
    if (!operator) {
      toDevice.inc();
      return packet;
    }
    const share = shareOfTopic(packet.topic);
    if (share !== undefined) {
      if (!deps.shares.mayReceive(share, operator.cities)) return null;
      toOperator.inc();
      return packet;
    }
    const city = operator.cities === null ? undefined : cityOfTopic(packet.topic, deps.cities);
    if (operator.cities !== null && (city === undefined || !operator.cities.has(city))) return null;
    toOperator.inc();
    return packet;
  };
}
