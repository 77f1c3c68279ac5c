import { slotTag } from '@citypulse/redis';

/**
 * Every Redis key and channel of the registry, in one place: the device store, its indexes and
 * presence share key names, and brokers and the API must agree on the channels.
 *
 * On a Redis Cluster the registry is one hash slot, `{<prefix>:reg}`: its scripts change a device,
 * its index entries and its presence atomically, and bulk provisioning writes thousands of devices
 * in one script, so all of them must live together. API tokens are their own slot, `{<prefix>:api}`.
 * Channels are not keys (classic pub/sub reaches every node) and keep the plain prefix.
 *
 * Indexes are sorted sets with score 0, so members come back in id order and a page is a rank
 * range; sets with equal scores intersect, union and diff without disturbing that order.
 */
export class RegistryKeys {
  /** The registry's hash tag, and the prefix the Lua scripts build per-device keys from. */
  readonly tag: string;
  private readonly tokens: string;

  constructor(readonly prefix: string) {
    this.tag = slotTag(prefix, 'reg');
    this.tokens = slotTag(prefix, 'api');
  }

  device(id: string): string {
    return `${this.tag}:device:${id}`;
  }
  /** Every device id. */
  get allDevices(): string {
    return `${this.tag}:idx:all`;
  }
  cityIndex(city: string): string {
    return `${this.tag}:idx:city:${city}`;
  }
  siteIndex(site: string): string {
    return `${this.tag}:idx:site:${site}`;
  }
  typeIndex(type: string): string {
    return `${this.tag}:idx:type:${type}`;
  }
  /** Devices that last reported running this firmware version. */
  firmwareIndex(version: string): string {
    return `${this.tag}:idx:fw:${version}`;
  }
  /** Cities that have (or had) devices: a set, for per-city counts. */
  get cities(): string {
    return `${this.tag}:cities`;
  }
  /** Scratch keys for multi-index queries, deleted in the same transaction. */
  scratch(tag: string): string {
    return `${this.tag}:tmp:${tag}`;
  }

  presence(id: string): string {
    return `${this.tag}:presence:${id}`;
  }
  /** Set of online device ids. */
  get online(): string {
    return `${this.tag}:presence:online`;
  }
  /** Devices a broker marked online: what the others mark offline if it dies. */
  brokerDevices(brokerId: string): string {
    return `${this.tag}:presence:broker:${brokerId}`;
  }
  /** Brokers that ever marked a device online and have not been swept. */
  get brokers(): string {
    return `${this.tag}:brokers`;
  }
  /** Expires unless the broker renews it: its heartbeat. */
  brokerAlive(brokerId: string): string {
    return `${this.tag}:broker-alive:${brokerId}`;
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
    return `${this.tokens}:api-tokens`;
  }
  get apiTokenDigests(): string {
    return `${this.tokens}:api-token-digests`;
  }
}
