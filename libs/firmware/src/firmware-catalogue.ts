import { luaScript, type RedisClient, type ScriptRunner } from '@citypulse/redis';
import { ADD_IMAGE, MARK_IN_USE, REMOVE_IMAGE } from './catalogue-scripts.js';
import type { FirmwareImage } from './firmware-image.js';
import { FirmwareKeys, versionKey } from './keys.js';

export class FirmwareVersionExistsError extends Error {
  constructor(
    readonly image: Pick<FirmwareImage, 'city' | 'deviceType' | 'version'>,
    readonly existingId: string,
  ) {
    super(
      `${image.deviceType} ${image.version} already exists in ${image.city} (image ${existingId}); delete it ` +
        `first or upload another version`,
    );
  }
}

/** What `remove` did: deleted, no such image, or refused because these holders still use it. */
export type RemoveResult = { outcome: 'removed' } | { outcome: 'not-found' } | { outcome: 'in-use'; holders: string[] };

export interface ImageQuery {
  /** Only these cities' images (the caller's tenancy); undefined = every city. */
  withinCities?: readonly string[];
  city?: string;
  deviceType?: string;
  version?: string;
}

/**
 * The firmware catalogue's metadata in Redis (the bytes are in a FirmwareBlobStore), and the
 * "in use" marks that keep an image from being deleted while updates still need it.
 *
 * In use: any number of holders per image (a fleet job `job:<id>`, a single command
 * `command:<id>`), each until a time or until released. `remove` refuses while one is live.
 */
export class FirmwareCatalogue {
  readonly keys: FirmwareKeys;
  private readonly addScript: ScriptRunner;
  private readonly removeScript: ScriptRunner;
  private readonly markScript: ScriptRunner;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = new FirmwareKeys(prefix);
    this.addScript = luaScript(redis, 'firmware_add', ADD_IMAGE);
    this.removeScript = luaScript(redis, 'firmware_remove', REMOVE_IMAGE);
    this.markScript = luaScript(redis, 'firmware_mark', MARK_IN_USE);
  }

  /** Adds the image; FirmwareVersionExistsError if its city already has this version of the type. */
  async add(image: FirmwareImage): Promise<void> {
    const k = this.keys;
    const existing = (await this.addScript(
      [k.image(image.id), k.cityIndex(image.city), k.allImages, k.versions],
      [
        image.id,
        JSON.stringify(image),
        versionKey(image.city, image.deviceType, image.version),
        Date.parse(image.uploadedAt),
      ],
    )) as string;
    if (existing) throw new FirmwareVersionExistsError(image, existing);
  }

  async get(id: string): Promise<FirmwareImage | null> {
    const json = await this.redis.get(this.keys.image(id));
    return json ? (JSON.parse(json) as FirmwareImage) : null;
  }

  /**
   * Images matching the query, newest first. The catalogue holds images, not devices: a read of every match is fine.
   */
  async list(query: ImageQuery = {}): Promise<FirmwareImage[]> {
    const within = query.withinCities;
    if (query.city !== undefined && within && !within.includes(query.city)) return [];
    const cities = query.city !== undefined ? [query.city] : within;
    const indexes = cities ? cities.map((c) => this.keys.cityIndex(c)) : [this.keys.allImages];
    const scored = (await Promise.all(indexes.map((key) => this.redis.zrevrange(key, 0, -1, 'WITHSCORES')))).flatMap(
      pairs,
    );
    scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
    if (scored.length === 0) return [];
    const images = (await this.redis.mget(...scored.map((s) => this.keys.image(s.id)))).flatMap((json) =>
      json ? [JSON.parse(json) as FirmwareImage] : [],
    );
    return images.filter(
      (i) =>
        (query.deviceType === undefined || i.deviceType === query.deviceType) &&
        (query.version === undefined || i.version === query.version),
    );
  }

  /** Deletes the image's metadata unless it is in use; the caller deletes the bytes after `removed`. */
  async remove(image: FirmwareImage, now = Date.now()): Promise<RemoveResult> {
    const k = this.keys;
    const result = (await this.removeScript(
      [k.image(image.id), k.cityIndex(image.city), k.allImages, k.versions, k.inUse(image.id)],
      [image.id, versionKey(image.city, image.deviceType, image.version), now],
    )) as Array<number | string>;
    if (result[0] === 1) return { outcome: 'removed' };
    if (result[0] === 0) return { outcome: 'not-found' };
    return { outcome: 'in-use', holders: result.slice(1).map(String) };
  }

  /**
   * Marks the image in use by `holder` (e.g. `job:<id>`) until `untilMs` (epoch ms), or until
   * released when omitted. Marking again moves the time. False when the image does not exist.
   */
  async markInUse(imageId: string, holder: string, untilMs?: number): Promise<boolean> {
    const until = untilMs === undefined ? '+inf' : String(untilMs);
    return (await this.markScript([this.keys.image(imageId), this.keys.inUse(imageId)], [holder, until])) === 1;
  }

  /** Ends `holder`'s use of the image (harmless if it had none). */
  async release(imageId: string, holder: string): Promise<void> {
    await this.redis.zrem(this.keys.inUse(imageId), holder);
  }

  /** Whether any holder uses the image now. */
  async isInUse(imageId: string, now = Date.now()): Promise<boolean> {
    return (await this.redis.zcount(this.keys.inUse(imageId), now, '+inf')) > 0;
  }

  /** The holders using the image now. */
  async holders(imageId: string, now = Date.now()): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.inUse(imageId), now, '+inf');
  }
}

function pairs(flat: string[]): Array<{ id: string; score: number }> {
  const out: Array<{ id: string; score: number }> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i], score: Number(flat[i + 1]) });
  return out;
}
