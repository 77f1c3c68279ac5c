import { deviceTopic } from '@citypulse/contracts';
import { AppProcess, PrivateRedis, testEnv, uniqueName, waitFor } from '@citypulse/testing';
import { Redis } from 'ioredis';
import { TestCitypulse } from './harness.js';

const reading = () => JSON.stringify({ ts: Date.now(), values: { voltage: 230, current: 5, active_power: 1.1, power_factor: 0.95, frequency: 50 } });

/**
 * CP_HANDOFF_DURABILITY end to end: at `replica` a device gets its PUBACK while a replica
 * confirms the hand-off and none once the replica is gone (the connection closes, the device will
 * resend); at `always` the broker process (from dist/) refuses a Redis that fsyncs only every second.
 */
describe('hand-off durability through the broker', () => {
  let master: PrivateRedis;
  let replica: PrivateRedis;
  let citypulse: TestCitypulse;

  beforeAll(async () => {
    master = await PrivateRedis.create();
    await master.start();
    replica = await PrivateRedis.create({ replicaOf: master.port });
    await replica.start();
    const onReplica = new Redis(replica.port, '127.0.0.1');
    await waitFor(() => onReplica.info('replication'), (info) => /master_link_status:up/.test(info), { timeoutMs: 20_000, what: 'the replica in sync' });
    onReplica.disconnect();
    citypulse = await TestCitypulse.start({ CP_REDIS_URL: master.url, CP_REDIS_CLUSTER_NODES: '', CP_HANDOFF_DURABILITY: 'replica', CP_HANDOFF_WAIT_TIMEOUT_MS: '300' });
  });
  afterAll(async () => {
    await citypulse?.stop();
    await replica?.destroy();
    await master?.destroy();
  });

  it('replica: PUBACK while the replica confirms, none once it is gone — the connection closes and the write is counted', async () => {
    const id = uniqueName('meter-');
    const secret = await citypulse.provision({ id, type: 'electricity-meter', city: 'tianjin', site: 'tj-1' });
    const device = await citypulse.connectDevice(id, secret);
    await device.publishAsync(deviceTopic(id, 'telemetry'), reading(), { qos: 1 });

    await replica.stop();
    const closed = new Promise<'closed'>((resolve) => device.once('close', () => resolve('closed')));
    const acked = device.publishAsync(deviceTopic(id, 'telemetry'), reading(), { qos: 1 }).then(() => 'acked' as const);
    expect(await Promise.race([acked, closed])).toBe('closed');
    device.end(true);

    const metrics = await fetch(`http://127.0.0.1:${citypulse.running.httpPort}/metrics`, { headers: { authorization: `Bearer ${citypulse.config.http.adminToken}` } }).then((r) => r.text());
    expect(metrics).toMatch(/^citypulse_handoff_replica_timeouts_total 1$/m);
  });

  it('always: the broker process refuses to start on a Redis without appendfsync always, naming the server and its setting', async () => {
    const broker = new AppProcess('broker', testEnv({ CP_REDIS_URL: master.url, CP_REDIS_CLUSTER_NODES: '', CP_HANDOFF_DURABILITY: 'always', CP_LOG_LEVEL: 'warn' }));
    const refused = await broker.start().then(
      () => undefined,
      (err: Error) => err.message,
    );
    await broker.kill();
    expect(refused).toContain('exited with 1 before starting');
    expect(refused).toContain(`127.0.0.1:${master.port}: CP_HANDOFF_DURABILITY=always needs appendonly yes and appendfsync always, the server has appendonly yes, appendfsync everysec`);
  });
});
