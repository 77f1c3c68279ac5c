import type { DeviceRef, FieldValue } from './reading.js';
import type { PackedDeviceReadings } from './rule-job.js';

/*
 * The rule feed as the broker writes it into the hand-off, beside each publish's lines: one
 * device's packed readings (`PackedDeviceReadings`) as one line of JSON without key names,
 * `[[deviceId, deviceType, city, site], fields, rows]`. The broker builds it from the values it
 * validated, in the same pass as the lines; the ingest worker decodes it and hands it on to rule
 * evaluation, and never parses the lines back (they go to InfluxDB untouched).
 *
 * A tab (JSON whitespace, which JSON.stringify never writes) stands before the rows: the part before
 * it, a device's head, is the same publish after publish, so the decoder parses it once and keeps
 * it (`RuleFeedDecoder`) — the head's strings were most of a single reading's decoding cost. A text
 * without the tab (from a broker before it) is still one JSON value, and decodes as before.
 */

type RuleFeedTuple = [
  device: [string, string, string, string],
  fields: string[],
  rows: Array<Array<FieldValue | null>>,
];

/** The device part of a feed text: constant for a device, so encoded once per session. */
export function ruleFeedDeviceText(device: DeviceRef): string {
  return JSON.stringify([device.deviceId, device.deviceType, device.city, device.site]);
}

/** One device's packed readings as one line of text (JSON holds no raw line break). */
export function encodeRuleFeed(deviceText: string, readings: Pick<PackedDeviceReadings, 'fields' | 'rows'>): string {
  return joinRuleFeed(
    feedHeadText(deviceText, readings.fields),
    readings.rows.map((row) => JSON.stringify(row)),
  );
}

/**
 * The same text from its head (`RuleFeedHead.for`) and rows each already written as a JSON array
 * (`[ms, value of fields[0], …]`).
 */
export function joinRuleFeed(headText: string, rowTexts: readonly string[]): string {
  return headText + rowTexts.join(',') + ']]';
}

/**
 * The start of one device's feed texts, its device part and field names, kept for the device's
 * session: a device names the same fields in the same order publish after publish, so they are
 * encoded once instead of for every publish (most publishes carry one reading, whose feed text is
 * then mostly this head).
 */
export class RuleFeedHead {
  private fields: readonly string[] = [];
  private text: string;

  constructor(readonly deviceText: string) {
    this.text = feedHeadText(deviceText, this.fields);
  }

  /** The head for rows of these fields. */
  for(fields: readonly string[]): string {
    if (!sameFields(fields, this.fields)) {
      this.fields = [...fields];
      this.text = feedHeadText(this.deviceText, this.fields);
    }
    return this.text;
  }
}

function feedHeadText(deviceText: string, fields: readonly string[]): string {
  return `[${deviceText},${JSON.stringify(fields)},${ROWS_MARK}[`;
}

/** Marks where a feed text's rows start (see the top of this file). */
const ROWS_MARK = '\t';

/** Decodes one feed text with no state kept; `RuleFeedDecoder` is the one for a stream of them. */
export function decodeRuleFeed(text: string): PackedDeviceReadings {
  const [[deviceId, deviceType, city, site], fields, rows] = JSON.parse(text) as RuleFeedTuple;
  return { deviceId, deviceType, city, site, fields, rows };
}

type FeedHead = Omit<PackedDeviceReadings, 'rows'>;

/**
 * Decodes feed texts, parsing each distinct head (device and field names) once and only the rows
 * of every text. The decoded parts share their head's `fields` array: treat it as read-only
 * (`mergeByDevice` copies before it changes one).
 */
export class RuleFeedDecoder {
  private readonly heads = new Map<string, FeedHead>();

  /** @param maxHeads heads kept; all are forgotten at once past it (a new fleet's worth is parsed again). */
  constructor(private readonly maxHeads = 100_000) {}

  decode(text: string): PackedDeviceReadings {
    const mark = text.indexOf(ROWS_MARK);
    if (mark < 0) return decodeRuleFeed(text);
    const headText = text.slice(0, mark);
    let head = this.heads.get(headText);
    if (!head) {
      const [[deviceId, deviceType, city, site], fields] = JSON.parse(headText + '[]]') as RuleFeedTuple;
      head = { deviceId, deviceType, city, site, fields };
      if (this.heads.size >= this.maxHeads) this.heads.clear();
      this.heads.set(headText, head);
    }
    // The rows and the closing bracket of the whole: `[[…],…]]`.
    const rows = JSON.parse(text.slice(mark + 1, -1)) as RuleFeedTuple[2];
    return {
      deviceId: head.deviceId,
      deviceType: head.deviceType,
      city: head.city,
      site: head.site,
      fields: head.fields,
      rows,
    };
  }
}

/**
 * One group per device from parts in stream order (several publishes of a device in one batch),
 * each device's rows in order, devices in order of first appearance. A device's only part is
 * returned as it is; parts merged go into a new group, so no part passed in is changed (the ingest
 * worker keeps its parts for the store-delay histogram while the rule-feed window merges them). A
 * later part with other fields is re-laid onto the union of the fields.
 */
export function mergeByDevice(parts: readonly PackedDeviceReadings[]): PackedDeviceReadings[] {
  const byDevice = new Map<string, PackedDeviceReadings>();
  const merges = new Set<PackedDeviceReadings>();
  for (const part of parts) {
    let merged = byDevice.get(part.deviceId);
    if (!merged) {
      byDevice.set(part.deviceId, part);
      continue;
    }
    if (!merges.has(merged)) {
      merged = { ...merged, fields: [...merged.fields], rows: [...merged.rows] };
      merges.add(merged);
      byDevice.set(part.deviceId, merged);
    }
    if (sameFields(merged.fields, part.fields)) for (const row of part.rows) merged.rows.push(row);
    else appendRelaid(merged, part);
  }
  return [...byDevice.values()];
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function appendRelaid(merged: PackedDeviceReadings, part: PackedDeviceReadings): void {
  const columns = part.fields.map((name) => {
    const at = merged.fields.indexOf(name);
    if (at >= 0) return at + 1;
    merged.fields.push(name);
    return merged.fields.length;
  });
  // Earlier rows get null for the fields they lacked, so every row has a value per field (copies:
  // the rows are also their parts').
  merged.rows = merged.rows.map((row) =>
    row.length > merged.fields.length
      ? row
      : [...row, ...new Array<null>(merged.fields.length + 1 - row.length).fill(null)],
  );
  for (const row of part.rows) {
    const relaid = new Array<FieldValue | null>(merged.fields.length + 1).fill(null);
    relaid[0] = row[0];
    for (let i = 0; i < columns.length; i++) relaid[columns[i]] = row[i + 1] ?? null;
    merged.rows.push(relaid);
  }
}
