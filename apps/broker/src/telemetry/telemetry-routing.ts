import type { Aedes, Client } from 'aedes';
import { wrapBrokerPublish } from '../aedes/patches.js';

const TELEMETRY_SUFFIX = '/telemetry';

/** What TelemetryRouting needs of the cluster-wide subscription index (cluster/subscription-index.ts). */
export interface ClusterRoutes {
  routes: { readonly size: number; matches(city: string, topic: string): boolean };
  grant(client: Client, filter: string, cities: ReadonlySet<string> | null): Promise<void>;
}

export interface TelemetryRoutingOptions {
  /** Clustered: the cluster-wide subscription index. Undefined for a broker alone. */
  cluster?: ClusterRoutes;
  /** The city of the device publishing on this connection (its session's). */
  cityOf: (client: Client) => string | undefined;
}

/**
 * aedes routes every accepted publish to subscribers: it checks the topic's depth, matches it
 * against the subscriptions of online and of offline sessions (two trie lookups), allocates a
 * Packet and emits 'publish' — and in a cluster also publishes it into Redis pub/sub, which
 * every broker pays for. Device telemetry is taken in by the authorize-publish hook and
 * normally has no subscriber at all, yet paid for that on every reading.
 *
 * So telemetry publishes skip routing unless someone may want them:
 * - a broker alone skips until the first subscription that can match telemetry is granted (an
 *   operator's tool on `devices/+/telemetry`); from then on everything is routed as usual;
 * - a clustered broker routes a reading only when a filter held anywhere in the cluster matches
 *   it for its device's city (the subscription index), so with one operator watching one city,
 *   only that city's readings cross Redis.
 * Retained publishes are always routed (aedes stores them on the way), and so is everything that
 * is not telemetry: commands, configs, alerts, wills, $SYS.
 */
export class TelemetryRouting {
  private routeAll = false;

  constructor(private readonly options: TelemetryRoutingOptions) {}

  /** Whether a broker alone routes telemetry now (for tests and logs). */
  get routing(): boolean {
    return this.routeAll;
  }

  /**
   * Call for every granted subscription of an operator's tool (of `cities`; null = all), and
   * answer SUBACK only once this resolves: in a cluster, the filter is then in the index.
   */
  async noteSubscription(client: Client, filter: string, cities: ReadonlySet<string> | null): Promise<void> {
    if (!mayMatchTelemetry(filter)) return;
    if (this.options.cluster) await this.options.cluster.grant(client, filter, cities);
    else this.routeAll = true;
  }

  /** Wraps `broker.publish`, the step aedes runs after PUBACK for every accepted publish. */
  install(broker: Aedes): void {
    const { cluster, cityOf } = this.options;
    const wanted = (topic: string, client: Client): boolean => {
      if (!cluster) return this.routeAll;
      // Nobody in the cluster watches telemetry (the usual case): decided without looking up the device.
      if (cluster.routes.size === 0) return false;
      const city = cityOf(client);
      // Only devices publish telemetry, and each has a city; were one unknown, route (the forward check still filters).
      return city === undefined || cluster.routes.matches(city, topic);
    };
    wrapBrokerPublish(broker, (route) => (packet, client, done) => {
      // Only publishes from a client (never the server's own, whose second argument is the callback).
      if (
        typeof client === 'object' &&
        client !== null &&
        !packet.retain &&
        packet.topic.endsWith(TELEMETRY_SUFFIX) &&
        !wanted(packet.topic, client)
      ) {
        if (done) queueMicrotask(() => done(null));
        return;
      }
      route(packet, client, done);
    });
  }
}

/** A topic filter that can match some `devices/{id}/telemetry` topic. */
export function mayMatchTelemetry(filter: string): boolean {
  const levels = filter.split('/');
  const matchesLevel = (level: string | undefined, wanted: string) => level === wanted || level === '+';
  if (levels[0] === '#') return true;
  if (!matchesLevel(levels[0], 'devices')) return false;
  if (levels.length === 2) return levels[1] === '#';
  if (levels[1] === '#') return true;
  if (levels.length === 3) return matchesLevel(levels[2], 'telemetry') || levels[2] === '#';
  return levels.length === 4 && levels[3] === '#' && matchesLevel(levels[2], 'telemetry');
}
