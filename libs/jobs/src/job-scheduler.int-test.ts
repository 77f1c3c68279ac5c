import { Queue } from 'bullmq';
import type { AppConfig } from '@citypulse/config';
import { QUEUES, type FleetJobTick } from '@citypulse/contracts';
import { bullConnection, bullPrefix } from '@citypulse/redis';
import type { RedisClient } from '@citypulse/redis';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis } from '@citypulse/testing';
import { fleetJobSchedulerId, rearmFleetJobs, scheduleFleetJob } from './job-scheduler.js';

/** The fleet-job schedulers on the real Redis and a Redis Cluster (BullMQ's own keys, under `{prefix:bull}`). */
describe.each(REDIS_FLAVOURS)('fleet-job schedulers on $name', (flavour) => {
  let config: AppConfig;
  let queue: Queue<FleetJobTick>;
  let redis: RedisClient;

  beforeAll(() => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
    queue = new Queue<FleetJobTick>(QUEUES.fleetJobs, {
      connection: bullConnection(config),
      prefix: bullPrefix(config),
    });
  });
  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await flushPrefix(config);
  });

  /** The iteration each scheduler has waiting (the first one at once, the later ones delayed). */
  const pending = () => queue.getJobs(['wait', 'delayed']);
  const nextTicks = async () => (await pending()).map((j) => j.data.jobId).sort();

  it('re-arms a scheduler that lost its next tick (a worker killed between taking a tick and scheduling the next), and only fleet jobs', async () => {
    await scheduleFleetJob(queue, 'job-a', 60_000);
    await scheduleFleetJob(queue, 'job-b', 60_000);
    await queue.upsertJobScheduler('not-a-fleet-job', { every: 60_000 }, { name: 'other', data: { jobId: 'other' } });
    expect(await nextTicks()).toEqual(['job-a', 'job-b', 'other']);
    // What a kill at the wrong moment leaves: job-a's iteration taken (moved to active, as a worker's
    // moveToActive does) and no next one scheduled, since the worker died before its second call.
    const taken = (await pending()).find((j) => j.data.jobId === 'job-a')!;
    const keys = `${bullPrefix(config)}:${QUEUES.fleetJobs}`;
    expect(await redis.lrem(`${keys}:wait`, 0, taken.id!)).toBe(1);
    await redis.lpush(`${keys}:active`, taken.id!);
    expect(await nextTicks()).toEqual(['job-b', 'other']);

    expect(await rearmFleetJobs(queue, 60_000)).toBe(2);
    expect(await nextTicks()).toEqual(['job-a', 'job-b', 'other']);
    expect((await queue.getJobSchedulers()).map((s) => s.key).sort()).toEqual([
      fleetJobSchedulerId('job-a'),
      fleetJobSchedulerId('job-b'),
      'not-a-fleet-job',
    ]);
  });
});
