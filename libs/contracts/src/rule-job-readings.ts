import { feedDeviceReadings } from './feed-device.js';
import type { RuleEvaluationJob } from './queues.js';
import type { DeviceReadings } from './reading.js';
import { unpackDeviceReadings } from './rule-job.js';

/** A rule job's readings per device, whichever shape the ingest worker that queued it wrote. */
export function ruleJobReadings(job: RuleEvaluationJob): DeviceReadings[] {
  return job.feed ? job.feed.map(feedDeviceReadings) : (job.devices ?? []).map(unpackDeviceReadings);
}
