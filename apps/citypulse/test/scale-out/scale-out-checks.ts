import { Queue } from 'bullmq';
import { bullConnection, bullPrefix } from '@citypulse/core';
import { QUEUES, deviceTopic } from '@citypulse/contracts';
import { SteadyPublisher, uniqueName, waitFor, type PublishingDevice } from '@citypulse/testing';
import type { ScaleOutRig } from './scale-out-rig.js';
import { partitionOf } from '@citypulse/handoff';
import { handoffLeaseHolders, handoffLeases, ruleFeedByDevice } from './rule-feed-order.js';

/**
 * What the scale-out deployment must do, checked the same way on one Redis and on a Redis Cluster
 * (scale-out.int-test.ts, scale-out-cluster.int-test.ts).
 */
export const meterValues = () => ({
  voltage: 228 + Math.random() * 4,
  current: 5,
  active_power: 1.1,
  power_factor: 0.95,
  frequency: 50,
});

/**
 * Registers the tests both deployments share, in a `describe` whose `beforeAll` starts the rig:
 * stored once and in order into rules (the first load on the fresh rig, so each worker's metrics
 * count only its readings), one alert per breach, commands on either broker, a session moving.
 */
export function itBehavesAsOneDeployment(rig: () => ScaleOutRig): void {
  it('stores every PUBACKed reading exactly once and hands each device’s readings to rule evaluation in publish order, through both brokers and both workers of each kind', async () => {
    await expectBothIngestWorkersReading(rig());
    const { devices, publishers } = await runLoad(rig(), 3, 150, await meterIdsSpreadOverIngestWorkers(rig(), 6));
    const stored = await expectAllStoredOnce(rig(), publishers);
    await expectRuleFeedInPublishOrder(rig(), devices, publishers);
    await expectBothWorkersOfEachKindBusy(rig(), stored.size);
    await expectRulesEvaluatedInOrder(rig());
  }, 90_000);

  it('raises one alert, announced once over MQTT, for a breach whose readings came through both brokers', () =>
    expectOneAlertForBreachThroughBothBrokers(rig()));

  it('delivers a command sent through the API to a device on either broker', () =>
    rig().expectCommandsOnEitherBroker());

  it('keeps a persistent session and its subscriptions when the device comes back on the other broker, and gets what was sent meanwhile', () =>
    expectSessionMovesBrokers(rig()));
}

/** `perBroker` fresh meters connected to each broker, ready to publish (not started). */
export async function steadyLoad(
  rig: ScaleOutRig,
  perBroker: number,
  ids = Array.from({ length: perBroker * 2 }, () => uniqueName('meter-')),
): Promise<{ devices: PublishingDevice[]; publishers: SteadyPublisher[] }> {
  const devices = await Promise.all(ids.slice(0, perBroker * 2).map((id) => rig.provisionMeter(id)));
  const publishers = [
    new SteadyPublisher(rig.mqttUrl('broker-a'), devices.slice(0, perBroker), meterValues),
    new SteadyPublisher(rig.mqttUrl('broker-b'), devices.slice(perBroker), meterValues),
  ];
  for (const p of publishers) rig.closeOnStop(() => p.close());
  await Promise.all(publishers.map((p) => p.connect()));
  return { devices, publishers };
}

/** Publishes through both brokers until each broker has PUBACKed `ackedPerBroker` readings, then stops. */
export async function runLoad(rig: ScaleOutRig, perBroker: number, ackedPerBroker: number, ids?: string[]) {
  const load = await steadyLoad(rig, perBroker, ids);
  load.publishers.forEach((p) => p.start());
  await waitFor(
    () => Math.min(...load.publishers.map((p) => p.acked.size)),
    (n) => n >= ackedPerBroker,
    { timeoutMs: 30_000, what: `${ackedPerBroker} PUBACKs through each broker` },
  );
  await Promise.all(load.publishers.map((p) => p.stop()));
  return load;
}

/** Every reading the publishers got a PUBACK for is stored, none twice; returns the stored rows. */
export async function expectAllStoredOnce(
  rig: ScaleOutRig,
  publishers: SteadyPublisher[],
): Promise<Map<string, number>> {
  const acked = publishers.flatMap((p) => [...p.acked]);
  const stored = await waitFor(
    () => rig.storedRows(),
    (rows) => acked.every((k) => rows.has(k)),
    { timeoutMs: 60_000, intervalMs: 500, what: `all ${acked.length} PUBACKed readings stored` },
  );
  expect(acked.filter((k) => !stored.has(k))).toEqual([]);
  expect([...stored].filter(([, rows]) => rows > 1)).toEqual([]);
  return stored;
}

/** Both ingest workers wrote readings (together each stored row once) and both alerts workers evaluated rules. */
export async function expectBothWorkersOfEachKindBusy(rig: ScaleOutRig, storedRows: number): Promise<void> {
  const byWorker = await waitFor(
    () => rig.readingsStoredBy(),
    (c) => c['ingest-1'] + c['ingest-2'] >= storedRows,
    { what: 'ingest metrics caught up' },
  );
  expect(byWorker['ingest-1']).toBeGreaterThan(0);
  expect(byWorker['ingest-2']).toBeGreaterThan(0);
  expect(byWorker['ingest-1'] + byWorker['ingest-2']).toBe(storedRows);
  expect(await rig.ruleEvaluatedBy()).toEqual(new Set([rig.instanceId('alerts-1'), rig.instanceId('alerts-2')]));
}

/** Each ingest worker holds a share of the hand-off's partitions (a device's partition is read by one at a time). */
export async function expectBothIngestWorkersReading(rig: ScaleOutRig): Promise<void> {
  const holders = await waitFor(
    () => handoffLeaseHolders(rig.config),
    (h) => h.size === 2,
    { what: 'both ingest workers holding partitions' },
  );
  expect(holders).toEqual(new Set([rig.instanceId('ingest-1'), rig.instanceId('ingest-2')]));
}

/**
 * `count` new meter ids whose hand-off partitions are held by the ingest workers in turn, so each
 * worker has readings to store: random ids could all land on one worker's partitions (with 6
 * devices over two workers, about one run in 32 — seen in CI).
 */
export async function meterIdsSpreadOverIngestWorkers(rig: ScaleOutRig, count: number): Promise<string[]> {
  const leases = await handoffLeases(rig.config);
  const workers = [rig.instanceId('ingest-1'), rig.instanceId('ingest-2')];
  const ids: string[] = [];
  while (ids.length < count) {
    const id = uniqueName('meter-');
    if (leases[partitionOf(id, leases.length)] === workers[ids.length % workers.length]) ids.push(id);
  }
  return ids;
}

/** Each device's PUBACKed readings reached rule evaluation in the order it published them (its timestamps rise). */
export async function expectRuleFeedInPublishOrder(
  rig: ScaleOutRig,
  devices: PublishingDevice[],
  publishers: SteadyPublisher[],
): Promise<void> {
  const published = new Map(devices.map((d) => [d.id, [] as number[]]));
  for (const key of publishers.flatMap((p) => [...p.acked]))
    published.get(key.slice(0, key.lastIndexOf('@')))?.push(Number(key.slice(key.lastIndexOf('@') + 1)));
  for (const times of published.values()) times.sort((a, b) => a - b);
  const ids = devices.map((d) => d.id);
  const fed = await waitFor(
    () => ruleFeedByDevice(rig.config, ids),
    (f) => ids.every((id) => f.get(id)!.length >= published.get(id)!.length),
    {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'every PUBACKed reading handed to rule evaluation',
    },
  );
  for (const id of ids) expect({ id, times: fed.get(id) }).toEqual({ id, times: published.get(id) });
}

/**
 * Both alerts workers evaluated jobs at once, yet no reading reached its device's rule state after
 * a newer one of the same device (each job waits for the jobs fed before it).
 */
export async function expectRulesEvaluatedInOrder(rig: ScaleOutRig): Promise<void> {
  await waitFor(
    () => pendingJobs(rig, QUEUES.ruleEvaluation),
    (n) => n === 0,
    { timeoutMs: 30_000, what: 'every rule-evaluation job finished' },
  );
  const metric = 'citypulse_rule_readings_out_of_order_total';
  expect({
    'alerts-1': await rig.counter('alerts-1', metric),
    'alerts-2': await rig.counter('alerts-2', metric),
  }).toEqual({ 'alerts-1': 0, 'alerts-2': 0 });
}

/**
 * A breach whose readings came through both brokers raises one alert, announced once over MQTT to
 * an operator on broker B (the alert is raised far from it: alerts worker → any broker). "Once" is
 * judged after every reading of the breach was evaluated and every alert event handled.
 */
export async function expectOneAlertForBreachThroughBothBrokers(rig: ScaleOutRig): Promise<void> {
  const meter = await rig.provisionMeter(uniqueName('hot-'));
  const operator = await rig.connectOperator('broker-b');
  const announced: Array<{ event: { kind: string }; alert: { deviceId: string } }> = [];
  operator.on('message', (_topic, payload) => announced.push(JSON.parse(payload.toString())));
  await operator.subscribeAsync('alerts/#', { qos: 0 });

  // Over 50.5 Hz for 15 s of device time: the first half through broker A, the rest through B.
  const t0 = Date.now() - 30_000;
  const times: number[] = [];
  for (const [broker, offsets] of [
    ['broker-a', [0, 3, 6]],
    ['broker-b', [9, 12, 15]],
  ] as const) {
    const { client } = await rig.connectDevice(broker, meter);
    for (const s of offsets) {
      times.push(t0 + s * 1000);
      await client.publishAsync(
        deviceTopic(meter.id, 'telemetry'),
        JSON.stringify({ ts: t0 + s * 1000, values: { ...meterValues(), frequency: 51 } }),
        { qos: 1 },
      );
    }
    await client.endAsync();
  }

  await waitFor(
    () => announced.filter((m) => m.alert.deviceId === meter.id),
    (m) => m.length > 0,
    { what: 'the MQTT announcement' },
  );
  await waitFor(
    () => ruleFeedByDevice(rig.config, [meter.id], ['completed']),
    (fed) => times.every((t) => fed.get(meter.id)!.includes(t)),
    { what: 'every reading of the breach evaluated' },
  );
  await waitFor(
    () => pendingJobs(rig, QUEUES.alertEvents),
    (n) => n === 0,
    { what: 'every alert event announced' },
  );
  const { body } = await rig.request('GET', `/alerts?deviceId=${meter.id}`);
  expect(body.items).toHaveLength(1);
  expect(body.items[0]).toMatchObject({ deviceId: meter.id, field: 'frequency', severity: 'critical' });
  expect(announced.filter((m) => m.alert.deviceId === meter.id).map((m) => m.event.kind)).toEqual(['raised']);
}

/**
 * A persistent session made on broker A (a subscription, then offline while a command is sent)
 * comes back on broker B with session present, the subscription known and the command delivered.
 */
export async function expectSessionMovesBrokers(rig: ScaleOutRig): Promise<void> {
  const meter = await rig.provisionMeter(uniqueName('roam-'));
  const first = await rig.connectDevice('broker-a', meter, { clean: false });
  await first.client.subscribeAsync(deviceTopic(meter.id, 'commands'), { qos: 1 });
  await first.client.endAsync();

  const { body: command } = await rig.request('POST', `/devices/${meter.id}/commands`, { name: 'reset-demand' });
  expect(command.status).toBe('pending');

  // No SUBSCRIBE this time: broker B knows the subscription from the session broker A stored.
  const second = await rig.connectDevice('broker-b', meter, { clean: false });
  expect(second.connack.sessionPresent).toBe(true);
  const received = await waitFor(
    () => second.messages,
    (m) => m.length > 0,
    { what: 'the command through broker B' },
  );
  expect(received[0].topic).toBe(deviceTopic(meter.id, 'commands'));
  expect(JSON.parse(received[0].payload.toString())).toMatchObject({ id: command.id, name: 'reset-demand' });
  await waitFor(
    async () => (await rig.request('GET', `/devices/${meter.id}/commands/${command.id}`)).body,
    (c) => c.status === 'delivered',
    { what: 'the PUBACK through broker B' },
  );
}

/** Jobs of `queue` not finished yet (waiting, active, delayed or retrying). */
async function pendingJobs(rig: ScaleOutRig, name: string): Promise<number> {
  const queue = new Queue(name, { connection: bullConnection(rig.config), prefix: bullPrefix(rig.config) });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
  }
}
