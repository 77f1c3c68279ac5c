import type { DeviceRef, FieldValue } from './reading.js';
import type { PackedDeviceReadings } from './rule-job.js';
import { feedToPacked, packedToFeed, sameFields, type FeedDevice } from './feed-device.js';

/*
 * The rule feed as the broker writes it into the hand-off, beside each publish's lines: one
 * device's readings as one line of text in three tab-separated parts,
 *
 *   [[deviceId, deviceType, city, site], fields] \t ms,ms,… \t [[values of a reading], …]
 *
 * (JSON, plain epoch ms, JSON; JSON.stringify never writes a raw tab). The broker builds it from
 * the values it validated, in the same pass as the lines. The ingest worker reads the head (the
 * same publish after publish: parsed once per device, `RuleFeedDecoder`) and the times, and
 * passes the values text on to the rule job untouched (`FeedDevice`): it never parses the lines
 * back nor the values, and BullMQ stringifies a string, not every number again. A text from a
 * broker before this layout is one JSON value, `[[…device], fields, [[ms, values…], …]]`, and
 * still decodes (to the same `FeedDevice`).
 */

type RuleFeedTuple = [
  device: [string, string, string, string],
  fields: string[],
  rows: Array<Array<FieldValue | null>>,
];

const PART = '\t';

/** The device part of a feed text: constant for a device, so encoded once per session. */
export function ruleFeedDeviceText(device: DeviceRef): string {
  return JSON.stringify([device.deviceId, device.deviceType, device.city, device.site]);
}

/** One device's packed readings as one line of feed text. */
export function encodeRuleFeed(deviceText: string, readings: Pick<PackedDeviceReadings, 'fields' | 'rows'>): string {
  return joinRuleFeed(
    feedHeadText(deviceText, readings.fields),
    readings.rows.map((row) => String(row[0])),
    readings.rows.map((row) => JSON.stringify(row.slice(1))),
  );
}

/**
 * The same text from its head (`RuleFeedHead.for`), each reading's epoch ms as text and its values
 * already written as a JSON array (`[value of fields[0], …]`).
 */
export function joinRuleFeed(headText: string, times: readonly string[], valueRows: readonly string[]): string {
  return headText + times.join(',') + PART + '[' + valueRows.join(',') + ']';
}

/**
 * Feed texts in order, each run of side-by-side texts of one device with the same fields written as
 * one text (its readings in order); texts in the earlier layout, and runs of one, as they were. The
 * broker's entries are this: a device with several publishes in flight has them parsed and handed
 * off together, and the head (device and field names, most of a one-reading text) is then written
 * once for the run instead of once per publish. A merged text decodes to what its parts decode to,
 * merged (`mergeFeedByDevice`). One pass; each text is read once.
 */
export function mergeRuleFeedRuns(texts: readonly string[]): string[] {
  const merged: string[] = [];
  let head = '';
  let first = '';
  let times: string[] | undefined;
  let rows: string[] | undefined;
  const close = () => {
    if (first === '') return;
    merged.push(times && rows ? joinRuleFeed(head, times, rows) : first);
    first = '';
    times = rows = undefined;
  };
  for (const text of texts) {
    const headEnd = text.indexOf(PART);
    const timesEnd = headEnd < 0 ? -1 : text.indexOf(PART, headEnd + 1);
    if (!hasRows(text, timesEnd)) {
      close();
      merged.push(text);
      continue;
    }
    const textHead = text.slice(0, headEnd + 1);
    if (first !== '' && textHead === head) {
      if (!times || !rows) {
        const firstTimesEnd = first.indexOf(PART, headEnd + 1);
        times = [first.slice(headEnd + 1, firstTimesEnd)];
        rows = [first.slice(firstTimesEnd + 2, -1)];
      }
      times.push(text.slice(headEnd + 1, timesEnd));
      rows.push(text.slice(timesEnd + 2, -1));
      continue;
    }
    close();
    head = textHead;
    first = text;
  }
  close();
  return merged;
}

/** A values part `[…]` holding at least one row, after the times ending at `timesEnd`. */
function hasRows(text: string, timesEnd: number): boolean {
  return timesEnd > 0 && text.length - timesEnd > 3 && text[timesEnd + 1] === '[' && text[text.length - 1] === ']';
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
  return `[${deviceText},${JSON.stringify(fields)}]${PART}`;
}

/** Decodes one feed text with its values parsed and no state kept (the older layout's texts, tests). */
export function decodeRuleFeed(text: string): PackedDeviceReadings {
  if (text.includes(PART)) return feedToPacked(new RuleFeedDecoder().decode(text));
  const [[deviceId, deviceType, city, site], fields, rows] = JSON.parse(text) as RuleFeedTuple;
  return { deviceId, deviceType, city, site, fields, rows };
}

type FeedHead = Omit<FeedDevice, 'times' | 'values'>;

/** The comma-separated epoch ms of `text` from `from` to `to` (a slice, split and map cost ~2.5× this). */
function parseTimes(text: string, from: number, to: number): number[] {
  const times: number[] = [];
  for (let start = from; start <= to;) {
    let end = text.indexOf(',', start);
    if (end < 0 || end > to) end = to;
    const ms = Number(text.slice(start, end));
    if (!Number.isFinite(ms) || end === start) throw new SyntaxError('a rule feed time is not a number');
    times.push(ms);
    start = end + 1;
  }
  return times;
}

/**
 * Decodes feed texts into `FeedDevice`s, parsing each distinct head (device and field names) once
 * and, of the rest, only the times. The parts share their head's `fields` array: treat it as
 * read-only. Throws on a text it cannot read (the caller falls back to the lines).
 */
export class RuleFeedDecoder {
  private readonly heads = new Map<string, FeedHead>();

  /** @param maxHeads heads kept; all are forgotten at once past it (a new fleet's worth is parsed again). */
  constructor(private readonly maxHeads = 100_000) {}

  decode(text: string): FeedDevice {
    const headEnd = text.indexOf(PART);
    if (headEnd < 0) return packedToFeed(decodeRuleFeed(text));
    const timesEnd = text.indexOf(PART, headEnd + 1);
    const values = text.slice(timesEnd + 1);
    if (timesEnd < 0 || values[0] !== '[' || values[values.length - 1] !== ']')
      throw new SyntaxError('a rule feed text needs its head, times and values');
    const head = this.head(text.slice(0, headEnd));
    return { ...head, times: parseTimes(text, headEnd + 1, timesEnd), values };
  }

  private head(text: string): FeedHead {
    let head = this.heads.get(text);
    if (!head) {
      const [[deviceId, deviceType, city, site], fields] = JSON.parse(text) as RuleFeedTuple;
      head = { deviceId, deviceType, city, site, fields };
      if (this.heads.size >= this.maxHeads) this.heads.clear();
      this.heads.set(text, head);
    }
    return head;
  }
}
