import type { Aedes } from 'aedes';

const TELEMETRY_SUFFIX = '/telemetry';

/**
 * aedes routes every accepted publish to subscribers: it checks the topic's depth, matches it
 * against the subscriptions of online and of offline sessions (two trie lookups), allocates a
 * Packet and emits 'publish'. Device telemetry is taken in by the authorize-publish hook and
 * normally has no subscriber at all, yet paid for that on every reading.
 *
 * So, on a broker that is not part of a cluster (where subscribers on other brokers are invisible
 * here), telemetry publishes skip routing until the first subscription that can match telemetry
 * is granted (an operator's tool on `devices/+/telemetry`); from then on everything is routed
 * as usual. Retained publishes are always routed (aedes stores them on the way).
 */
export class TelemetryRouting {
  private routeAll: boolean;

  constructor(options: { clustered: boolean }) {
    this.routeAll = options.clustered;
  }

  /** Whether telemetry is routed now (for tests and logs). */
  get routing(): boolean {
    return this.routeAll;
  }

  /** Call for every granted subscription, before it is active. */
  noteSubscription(filter: string): void {
    if (!this.routeAll && mayMatchTelemetry(filter)) this.routeAll = true;
  }

  /** Wraps `broker.publish`, the step aedes runs after PUBACK for every accepted publish. */
  install(broker: Aedes): void {
    const route = broker.publish.bind(broker) as (packet: unknown, client: unknown, done?: (err?: Error | null) => void) => void;
    const shortcut = (packet: { topic: string; retain?: boolean }, client: unknown, done?: (err?: Error | null) => void) => {
      // Only publishes from a client (never the server's own, whose second argument is the callback).
      if (!this.routeAll && typeof client === 'object' && client !== null && !packet.retain && packet.topic.endsWith(TELEMETRY_SUFFIX)) {
        if (done) queueMicrotask(() => done(null));
        return;
      }
      route(packet, client, done);
    };
    (broker as unknown as { publish: typeof shortcut }).publish = shortcut;
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
