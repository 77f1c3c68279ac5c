import {
  RuleFeedDecoder,
  mergeFeedByDevice,
  packDeviceReadings,
  packedToFeed,
  type FeedDevice,
} from '@citypulse/contracts';
import type { HandoffBatch, HandoffEntryContent } from '@citypulse/handoff';
import { ruleFeedReadings } from './rule-feed-readings.js';

/**
 * A hand-off batch's rule feed, one group per device, each device's readings in stream order: the
 * feed texts the broker wrote beside the lines, decoded and handed on as they are. Only an entry
 * without them — written by a broker from before the feed travelled beside the lines, still in
 * Redis after an upgrade — has its lines parsed back (`ruleFeedReadings`), as all were before.
 * A long-lived `decoder` parses each device's head once, not once per batch.
 */
export function batchRuleFeed(batch: Pick<HandoffBatch, 'entries'>, decoder = new RuleFeedDecoder()): FeedDevice[] {
  const parts: FeedDevice[] = [];
  for (const entry of batch.entries) entryRuleFeed(entry, parts, decoder);
  return mergeFeedByDevice(parts);
}

function entryRuleFeed(entry: HandoffEntryContent, parts: FeedDevice[], decoder: RuleFeedDecoder): void {
  if (entry.companions) {
    const decoded = decodedOrUndefined(entry.companions, decoder);
    if (decoded) {
      for (const part of decoded) parts.push(part);
      return;
    }
  }
  for (const device of ruleFeedReadings(entry.lp.split('\n'))) parts.push(packedToFeed(packDeviceReadings(device)));
}

/** Undefined when a text is not a feed: the entry's lines still say what to evaluate, so a bad text blocks nothing. */
function decodedOrUndefined(texts: readonly string[], decoder: RuleFeedDecoder): FeedDevice[] | undefined {
  try {
    return texts.map((text) => decoder.decode(text));
  } catch {
    return undefined;
  }
}
