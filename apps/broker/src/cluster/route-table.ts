import { TopicFilterTrie } from './topic-filter-trie.js';

/** The scope level of a filter that holds for every city (a cluster-wide operator login). */
const EVERY_CITY = '+';

/**
 * A filter as it is actually matched: an operator login sees only its cities' devices (the
 * forward check drops the rest), so `devices/+/telemetry` held by a login of city X can only
 * ever deliver X's readings. The index therefore holds the filter under a first level naming the
 * city — `X/devices/+/telemetry`, or `+/devices/+/telemetry` for a login of every city — and a
 * reading is looked up as `{its device's city}/{topic}`. City names cannot contain '/', '+' or '#'.
 */
export function scopedFilters(filter: string, cities: ReadonlySet<string> | null): string[] {
  if (cities === null) return [`${EVERY_CITY}/${filter}`];
  return [...cities].map((city) => `${city}/${filter}`);
}

/**
 * The union of the filters every broker of the cluster holds, by broker, as this broker last
 * heard it; answers "does anyone, anywhere, want this reading?". Rebuilt on each change (the set
 * is small: operators' live subscriptions), matched on each telemetry publish.
 */
export class RouteTable {
  private readonly byBroker = new Map<string, readonly string[]>();
  private trie = new TopicFilterTrie();

  /** Scoped filters (see scopedFilters) in the whole cluster, without duplicates. */
  get size(): number {
    return this.trie.size;
  }

  brokers(): string[] {
    return [...this.byBroker.keys()];
  }

  filtersOf(brokerId: string): readonly string[] {
    return this.byBroker.get(brokerId) ?? [];
  }

  /** One broker's whole set (it always publishes its whole set); empty or undefined forgets it. */
  set(brokerId: string, filters: readonly string[] | undefined): void {
    if (filters && filters.length > 0) this.byBroker.set(brokerId, filters);
    else this.byBroker.delete(brokerId);
    this.rebuild();
  }

  /** Every broker's set at once (a full resync): brokers not named are forgotten. */
  replaceAll(sets: ReadonlyMap<string, readonly string[]>): void {
    this.byBroker.clear();
    for (const [brokerId, filters] of sets) if (filters.length > 0) this.byBroker.set(brokerId, filters);
    this.rebuild();
  }

  /** Whether a reading of a device in `city` on `topic` has a subscriber anywhere. */
  matches(city: string, topic: string): boolean {
    return this.trie.size > 0 && this.trie.matches([city, ...topic.split('/')]);
  }

  private rebuild(): void {
    this.trie = new TopicFilterTrie([...this.byBroker.values()].flat());
  }
}
