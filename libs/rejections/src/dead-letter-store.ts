import { slotTag, type RedisClient } from '@citypulse/redis';
import type { Rejection } from '@citypulse/contracts';

export interface DeadLetter {
  deviceId: string;
  topic: string;
  receivedAt: string;
  rejected: Rejection[];
  /** The start of the payload as text, so an engineer can see what the device sent. */
  payloadExcerpt: string;
  payloadBytes: number;
}

const EXCERPT_BYTES = 1024;

/**
 * Rejected payloads, kept in a bounded Redis list (newest first) for the API to list, plus
 * per-device and per-reason counters. Bounded so a device spamming garbage cannot fill Redis.
 */
export class DeadLetterStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly capacity = 10_000,
  ) {}

  /** One hash tag, `{<prefix>:rejections}`: a rejection updates the list and both counters in one MULTI. */
  private get tag() {
    return slotTag(this.prefix, 'rejections');
  }
  private get listKey() {
    return `${this.tag}:deadletters`;
  }
  private get byDeviceKey() {
    return `${this.tag}:by-device`;
  }
  private get byReasonKey() {
    return `${this.tag}:by-reason`;
  }

  async add(letter: Omit<DeadLetter, 'payloadExcerpt' | 'payloadBytes'>, payload: Buffer): Promise<void> {
    const entry: DeadLetter = {
      ...letter,
      payloadExcerpt: payload.subarray(0, EXCERPT_BYTES).toString('utf8'),
      payloadBytes: payload.length,
    };
    const multi = this.redis
      .multi()
      .lpush(this.listKey, JSON.stringify(entry))
      .ltrim(this.listKey, 0, this.capacity - 1)
      .hincrby(this.byDeviceKey, letter.deviceId, letter.rejected.length);
    for (const r of letter.rejected) multi.hincrby(this.byReasonKey, r.reason, 1);
    await multi.exec();
  }

  /** Newest first; optionally one device's only. */
  async list({
    deviceId,
    limit = 100,
    offset = 0,
  }: { deviceId?: string; limit?: number; offset?: number } = {}): Promise<DeadLetter[]> {
    if (!deviceId) {
      return (await this.redis.lrange(this.listKey, offset, offset + limit - 1)).map(
        (s) => JSON.parse(s) as DeadLetter,
      );
    }
    const all = (await this.redis.lrange(this.listKey, 0, -1)).map((s) => JSON.parse(s) as DeadLetter);
    return all.filter((d) => d.deviceId === deviceId).slice(offset, offset + limit);
  }

  async counts(): Promise<{ byDevice: Record<string, number>; byReason: Record<string, number> }> {
    const [byDevice, byReason] = await Promise.all([
      this.redis.hgetall(this.byDeviceKey),
      this.redis.hgetall(this.byReasonKey),
    ]);
    const toNumbers = (h: Record<string, string>) =>
      Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Number(v)]));
    return { byDevice: toNumbers(byDevice), byReason: toNumbers(byReason) };
  }
}
