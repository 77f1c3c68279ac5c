import { PrivateInflux, PrivateRedis } from '@citypulse/testing';
import { FaultLoad } from './fault-load.js';
import { faultTable, writeFaultReport, type FaultOutcome } from './fault-report.js';
import { FaultRig } from './fault-rig.js';

/**
 * The fault suite (`npm run test:faults`, run by CI after `npm test`): under steady QoS 1 load,
 * each fault is done for real to one part of a deployment that runs every app as its own process,
 * and the promises are checked — nothing PUBACKed is lost, nothing is stored twice, the backlog
 * drains, and the alert a device raised during the fault is raised exactly once.
 *
 * How long InfluxDB stays down: the 60 s unless FAULT_INFLUX_OUTAGE_S says otherwise
 * (a test knob, not service configuration).
 */
const INFLUX_OUTAGE_MS = Number(process.env.FAULT_INFLUX_OUTAGE_S ?? 60) * 1000;
const INGEST_DOWN_MS = 10_000;
const REDIS_DOWN_MS = 5_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const startedAt = new Date();
const outcomes: FaultOutcome[] = [];

afterAll(() => {
  if (outcomes.length === 0) return;
  const file = writeFaultReport(outcomes, startedAt, {
    influxOutageMs: INFLUX_OUTAGE_MS,
    ingestDownMs: INGEST_DOWN_MS,
    redisDownMs: REDIS_DOWN_MS,
    devices: 4,
    readingsPerS: 1000,
  });
  process.stdout.write(`\n${faultTable(outcomes)}\n\nfault report: ${file}\n`);
});

/** Runs one fault under load on a fresh rig and holds it to the promises. */
async function underLoad(name: string, rig: FaultRig, fault: (rig: FaultRig) => Promise<void>): Promise<FaultOutcome> {
  const load = await FaultLoad.start(rig);
  try {
    const timing = await load.through(() => fault(rig));
    const outcome = await load.outcome(name, timing);
    outcomes.push(outcome);
    return outcome;
  } finally {
    await load.close();
  }
}

function expectPromisesKept(outcome: FaultOutcome): void {
  expect(outcome.acked).toBeGreaterThan(1000);
  expect(outcome).toMatchObject({ lost: 0, duplicates: 0, alertsRaised: 1, healthyProcesses: 4 });
  expect(outcome.drainMs).not.toBeNull();
}

describe('under faults', () => {
  it('loses nothing, stores nothing twice and raises one alert when the ingest worker is killed with SIGKILL and restarted', async () => {
    const rig = await FaultRig.start();
    try {
      const outcome = await underLoad('ingest SIGKILL', rig, async ({ processes }) => {
        await processes.ingest.kill();
        await sleep(INGEST_DOWN_MS);
        await processes.ingest.start();
      });
      expectPromisesKept(outcome);
    } finally {
      await rig.stop();
    }
  }, 240_000);

  it(
    `keeps acknowledging through an InfluxDB outage of ${INFLUX_OUTAGE_MS / 1000} s and stores every ` +
      `acknowledged reading once, with one alert`,
    async () => {
      const influxd = await PrivateInflux.create();
      await influxd.start();
      const rig = await FaultRig.start({ influxUrl: influxd.url });
      try {
        const outcome = await underLoad(`InfluxDB down ${INFLUX_OUTAGE_MS / 1000} s`, rig, async () => {
          await influxd.stop();
          await sleep(INFLUX_OUTAGE_MS);
          await influxd.start();
        });
        expectPromisesKept(outcome);
        // The broker kept acknowledging through the outage: the readings waited in Redis.
        expect(outcome.peakBacklog).toBeGreaterThan((INFLUX_OUTAGE_MS / 1000) * 500);
      } finally {
        await rig.stop();
        await influxd.destroy();
      }
    },
    240_000 + INFLUX_OUTAGE_MS,
  );

  it('loses nothing acknowledged when the broker is killed with SIGKILL and devices reconnect to its replacement on their own', async () => {
    const rig = await FaultRig.start();
    try {
      const outcome = await underLoad('broker SIGKILL', rig, async ({ processes }) => {
        await processes.broker.kill();
        await processes.broker.start();
      });
      expectPromisesKept(outcome);
    } finally {
      await rig.stop();
    }
  }, 240_000);

  it.each([
    ['restarts (SIGTERM: AOF flushed on the way down)', 'stop', 'Redis restart'],
    ['crashes (SIGKILL: only what reached the AOF file survives)', 'kill', 'Redis SIGKILL'],
  ] as const)(
    'loses nothing acknowledged when Redis (AOF, fsync every second) %s, and every process carries on by itself',
    async (_how, stop, name) => {
      const redis = await PrivateRedis.create();
      await redis.start();
      const rig = await FaultRig.start({ redisUrl: redis.url });
      try {
        const outcome = await underLoad(`${name} (${REDIS_DOWN_MS / 1000} s down)`, rig, async () => {
          await redis[stop]();
          await sleep(REDIS_DOWN_MS);
          await redis.start();
        });
        expectPromisesKept(outcome);
      } finally {
        await rig.stop();
        await redis.destroy();
      }
    },
    240_000,
  );
});
