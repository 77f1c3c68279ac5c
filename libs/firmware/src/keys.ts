import { slotTag } from '@citypulse/redis';

/**
 * Redis keys of the firmware catalogue, all under one hash tag `{<prefix>:fw}`: creating an image
 * claims its (city, type, version) and indexes it atomically, and deleting it checks "in use" in
 * the same script, so every key lives in one slot of a Redis Cluster. The catalogue is small
 * (images, not devices), so one slot is no hot spot.
 */
export class FirmwareKeys {
  readonly tag: string;

  constructor(prefix: string) {
    this.tag = slotTag(prefix, 'fw');
  }

  image(id: string): string {
    return `${this.tag}:image:${id}`;
  }
  /** Image ids of a city, score = upload time (ms): newest first by ZREVRANGE. */
  cityIndex(city: string): string {
    return `${this.tag}:idx:city:${city}`;
  }
  /** Every image id (score = upload time), for admins of every city. */
  get allImages(): string {
    return `${this.tag}:idx:all`;
  }
  /** city/type/version → image id: one image per version of a type in a city. */
  get versions(): string {
    return `${this.tag}:versions`;
  }
  /** Who uses an image: holder → until (epoch ms; +inf for "until released"). */
  inUse(id: string): string {
    return `${this.tag}:in-use:${id}`;
  }
}

export function versionKey(city: string, deviceType: string, version: string): string {
  return `${city}/${deviceType}/${version}`;
}
