import type { FeedDevice } from './feed-device.js';

/**
 * A rule job's feed as one text, kept in Redis beside its BullMQ job rather than inside it: one
 * line per device, `[deviceId, deviceType, city, site, fields, times]` as JSON, a tab, then the
 * values JSON exactly as the broker wrote it. The values — most of the text — are neither escaped
 * into a JSON string nor parsed on the way; JSON never holds a raw tab or newline, so both
 * separators are safe.
 */
export function encodeJobFeed(devices: readonly FeedDevice[]): string {
  let text = '';
  for (let i = 0; i < devices.length; i++) {
    const d = devices[i];
    text +=
      (i === 0 ? '' : '\n') +
      JSON.stringify([d.deviceId, d.deviceType, d.city, d.site, d.fields, d.times]) +
      '\t' +
      d.values;
  }
  return text;
}

type FeedHead = [deviceId: string, deviceType: string, city: string, site: string, fields: string[], times: number[]];

/** The devices of an `encodeJobFeed` text, in order. */
export function decodeJobFeed(text: string): FeedDevice[] {
  if (text === '') return [];
  return text.split('\n').map((line) => {
    const tab = line.indexOf('\t');
    if (tab < 0) throw new Error('rule job feed: a device line without its values');
    const [deviceId, deviceType, city, site, fields, times] = JSON.parse(line.slice(0, tab)) as FeedHead;
    return { deviceId, deviceType, city, site, fields, times, values: line.slice(tab + 1) };
  });
}
