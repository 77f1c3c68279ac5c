import type { DeviceClient } from '@citypulse/device-client';
import { AppProcess, freePort, testEnv, waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { fleetClient, jobUntil, provisionFleet, sumOf } from './job-helpers.js';

/**
 * A fleet job survives its processes: the API and the alerts worker (which runs the ticks) are
 * real processes from dist/, killed with SIGKILL mid-rollout and started again; the broker runs
 * here. The job must finish with every device sent its command exactly once.
 */
describe('fleet jobs across process crashes', () => {
  let cp: TestCitypulse;
  let api: AppProcess;
  let alerts: AppProcess;
  let apiUrl: string;
  const clients: DeviceClient[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start({}, ['broker']);
    const httpPort = await freePort();
    apiUrl = `http://127.0.0.1:${httpPort}`;
    const env = testEnv({
      CP_REDIS_PREFIX: cp.config.redis.prefix,
      CP_INFLUX_DB: cp.config.influx.database,
      CP_HTTP_PORT: String(httpPort),
      CP_JOBS_TICK_MS: '100',
      CP_JOBS_LOCK_MS: '1000',
    });
    api = new AppProcess('api', env);
    alerts = new AppProcess('alerts', env);
    await Promise.all([api.start(), alerts.start()]);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([api?.stop(), alerts?.stop()]);
    await cp?.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${cp.config.http.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  it('carries on after the alerts worker and then the API are killed mid-rollout, sending each device its command once', async () => {
    const devices = await provisionFleet({ api: call }, 40);
    const received = new Map<string, string[]>();
    for (const d of devices) {
      const client = fleetClient(cp.mqttUrl, d);
      client.on('command', (c: { id: string }) => received.set(d.id, [...(received.get(d.id) ?? []), c.id]));
      clients.push(client);
    }
    await Promise.all(clients.map((c) => c.start()));
    // 2 first, then 600 a minute (one a tick): about 4 s for the 40.
    const created = await call('POST', '/jobs', {
      kind: 'command',
      command: { name: 'reboot' },
      selection: { city: 'beijing', deviceIds: devices.map((d) => d.id) },
      rollout: { initialCount: 2, ratePerMinute: 600 },
      deviceTimeoutS: 10,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    await jobUntil({ api: call }, id, (j) => j.counts.succeeded >= 8, 'the rollout under way');
    await alerts.kill();
    const frozen = (await call('GET', `/jobs/${id}`)).body;
    expect(frozen.state).toBe('running');
    await alerts.start();
    await jobUntil(
      { api: call },
      id,
      (j) => j.counts.succeeded >= frozen.counts.succeeded + 8,
      'progress after the alerts worker restarted',
      30_000,
    );

    await api.kill();
    await waitFor(
      () => received.size,
      (n) => n >= 30,
      { what: 'devices reached while the API is down', timeoutMs: 30_000 },
    );
    await api.start();
    const done = await jobUntil({ api: call }, id, (j) => j.state === 'completed', 'the job completed', 30_000);
    expect(done.counts).toMatchObject({ succeeded: 40, failed: 0, 'timed-out': 0 });
    expect(sumOf(done.counts)).toBe(40);
    expect([...received.values()].map((ids) => ids.length)).toEqual(Array(40).fill(1));
    // One command per device in the store too (the client would hide a redelivered duplicate).
    for (const d of devices) expect((await call('GET', `/devices/${d.id}/commands`)).body.items).toHaveLength(1);
    // Four process starts on a shared 2-core machine: several seconds each when it is busy.
  }, 120_000);
});

/**
 * The third process a rollout goes through: the broker, a real process from dist/ killed with
 * SIGKILL mid-rollout while the API and the alerts worker (in this process) go on, then started
 * again on the same port. The devices reconnect on their own (the device client's backoff).
 */
describe('fleet jobs across a broker crash', () => {
  let cp: TestCitypulse;
  let broker: AppProcess;
  let mqttUrl: string;
  const clients: DeviceClient[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start({ CP_JOBS_TICK_MS: '100', CP_JOBS_LOCK_MS: '1000' }, ['api', 'alerts']);
    const port = await freePort();
    mqttUrl = `mqtt://127.0.0.1:${port}`;
    broker = new AppProcess(
      'broker',
      testEnv({
        CP_REDIS_PREFIX: cp.config.redis.prefix,
        CP_INFLUX_DB: cp.config.influx.database,
        CP_MQTT_PORT: String(port),
        CP_BROKER_HEARTBEAT_MS: '300',
      }),
    );
    await broker.start();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await broker?.stop();
    await cp?.stop();
  });

  it('carries on after the broker is killed mid-rollout: devices reached meanwhile get the job once they reconnect, once each', async () => {
    const devices = await provisionFleet(cp, 30);
    const received = new Map<string, string[]>();
    for (const d of devices) {
      const client = fleetClient(mqttUrl, d);
      client.on('command', (c: { id: string }) => received.set(d.id, [...(received.get(d.id) ?? []), c.id]));
      clients.push(client);
    }
    await Promise.all(clients.map((c) => c.start()));
    const created = await cp.api('POST', '/jobs', {
      kind: 'command',
      command: { name: 'reboot' },
      selection: { city: 'beijing', deviceIds: devices.map((d) => d.id) },
      rollout: { initialCount: 2, ratePerMinute: 600 },
      deviceTimeoutS: 60,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    await jobUntil(cp, id, (j) => j.counts.succeeded >= 6, 'the rollout under way');
    await broker.kill();
    const frozen = (await cp.api('GET', `/jobs/${id}`)).body;
    // The rollout goes on without a broker: devices are released (sent a stored command, or waiting).
    await jobUntil(
      cp,
      id,
      (j) => j.counts.queued <= frozen.counts.queued - 3,
      'devices released while the broker is down',
      20_000,
    );
    await broker.start();
    const done = await jobUntil(cp, id, (j) => j.state === 'completed', 'the job completed', 60_000);
    expect(done.counts).toMatchObject({ succeeded: 30, failed: 0, 'timed-out': 0 });
    expect(sumOf(done.counts)).toBe(30);
    expect([...received.values()].map((ids) => ids.length)).toEqual(Array(30).fill(1));
    for (const d of devices) expect((await cp.api('GET', `/devices/${d.id}/commands`)).body.items).toHaveLength(1);
  }, 120_000);
});
