/**
 * Every Redis key and channel of the registry, in one place: the device store, its indexes and
 * presence share key names, and brokers and the API must agree on the channels.
 *
 * Indexes are sorted sets with score 0, so members come back in id order and a page is a rank
 * range; sets with equal scores intersect, union and diff without disturbing that order.
 */
export class RegistryKeys {
  constructor(readonly prefix: string) {}

  device(id: string): string {
    return `${this.prefix}:device:${id}`;
  }
  /** Every device id. */
  get allDevices(): string {
    return `${this.prefix}:idx:all`;
  }
  cityIndex(city: string): string {
    return `${this.prefix}:idx:city:${city}`;
  }
  siteIndex(site: string): string {
    return `${this.prefix}:idx:site:${site}`;
  }
  typeIndex(type: string): string {
    return `${this.prefix}:idx:type:${type}`;
  }
  /** Cities that have (or had) devices: a set, for per-city counts. */
  get cities(): string {
    return `${this.prefix}:cities`;
  }
  /** Scratch keys for multi-index queries, deleted in the same transaction. */
  scratch(tag: string): string {
    return `${this.prefix}:tmp:${tag}`;
  }

  presence(id: string): string {
    return `${this.prefix}:presence:${id}`;
  }
  /** Set of online device ids. */
  get online(): string {
    return `${this.prefix}:presence:online`;
  }
  /** Devices a broker marked online: what the others mark offline if it dies. */
  brokerDevices(brokerId: string): string {
    return `${this.prefix}:presence:broker:${brokerId}`;
  }
  /** Brokers that ever marked a device online and have not been swept. */
  get brokers(): string {
    return `${this.prefix}:brokers`;
  }
  /** Expires unless the broker renews it: its heartbeat. */
  brokerAlive(brokerId: string): string {
    return `${this.prefix}:broker-alive:${brokerId}`;
  }

  /** Pub/sub: presence changes (PresenceEvent JSON). */
  get presenceChannel(): string {
    return `${this.prefix}:presence-events`;
  }
  /** Pub/sub: credential and registry changes every broker must act on (DeviceControlEvent JSON). */
  get controlChannel(): string {
    return `${this.prefix}:device-control`;
  }

  /** API tokens by name (JSON with the digest), and name by SHA-256 digest. */
  get apiTokens(): string {
    return `${this.prefix}:api-tokens`;
  }
  get apiTokenDigests(): string {
    return `${this.prefix}:api-token-digests`;
  }
}
