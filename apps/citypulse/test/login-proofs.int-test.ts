import { Metrics } from '@citypulse/observability';
import { connackCode, freePort, uniqueName } from '@citypulse/testing';
import { startCitypulse, type Citypulse } from '../src/run-apps.js';
import { TestCitypulse } from './harness.js';

/**
 * A login verified with scrypt on one broker is proven to every broker through Redis: a device
 * moving to another broker, or coming back after its broker restarted, gets in without scrypt,
 * while rotate and revoke still refuse the old secret everywhere at once. Broker A runs with the
 * API; broker B is a second broker process part of its own (fresh memory), restarted in between.
 */
describe('login proofs shared by brokers', () => {
  let cp: TestCitypulse;
  let b: Citypulse | undefined;
  let bPort: number;

  beforeAll(async () => {
    cp = await TestCitypulse.start({}, ['broker', 'api']);
    bPort = await freePort();
    b = await startBrokerB();
  });
  afterAll(async () => {
    await b?.close();
    await cp?.stop();
  });

  const startBrokerB = () =>
    startCitypulse(
      { ...cp.config, instanceId: `${cp.config.instanceId}-b`, mqtt: { ...cp.config.mqtt, port: bPort } },
      ['broker'],
    );
  /** How this broker checked device secrets so far: memory, proof or scrypt. */
  async function checks(running: Citypulse): Promise<Record<string, number>> {
    const { values } = await running.app.get(Metrics).deviceSecretChecks.get();
    return Object.fromEntries(values.map((v) => [String(v.labels.by), v.value]));
  }
  const a = () => cp.running;
  const login = (port: number, id: string, password: string) =>
    connackCode({ port, clientId: id, username: id, password });
  async function loginRetrying(port: number, id: string, password: string): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      const code = await login(port, id, password);
      if (code !== 3 || attempt >= 3) return code;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  async function newDevice() {
    const id = uniqueName('proof-');
    return { id, secret: await cp.provision({ id, type: 'env-sensor', city: 'beijing', site: 'bj-tower-1' }) };
  }
  /** What a CONNECT cost: the change of each broker's counters around it. */
  async function cost(
    running: Citypulse,
    connect: () => Promise<number>,
  ): Promise<{ code: number; by: Record<string, number> }> {
    const before = await checks(running);
    const code = await connect();
    const after = await checks(running);
    const by = Object.fromEntries(
      Object.entries(after)
        .map(([k, v]) => [k, v - (before[k] ?? 0)])
        .filter(([, v]) => v !== 0),
    );
    return { code, by };
  }

  it('admits on another broker, and on a restarted one, a secret verified once, without scrypt', async () => {
    const { id, secret } = await newDevice();
    expect(await cost(a(), () => login(cp.running.mqttPort!, id, secret))).toEqual({ code: 0, by: { scrypt: 1 } });
    expect(await cost(b!, () => login(bPort, id, secret))).toEqual({ code: 0, by: { proof: 1 } });
    expect(await cost(b!, () => login(bPort, id, secret))).toEqual({ code: 0, by: { memory: 1 } });

    await b!.close();
    b = await startBrokerB();
    expect(await cost(b, () => login(bPort, id, secret))).toEqual({ code: 0, by: { proof: 1 } });
    // A wrong secret is never taken for proven: it goes to scrypt and is refused.
    expect(await cost(b, () => login(bPort, id, `${secret}x`))).toEqual({ code: 4, by: { scrypt: 1 } });
  });

  it('refuses the old secret on both brokers as soon as the device is rotated, and admits the new one', async () => {
    const { id, secret } = await newDevice();
    expect(await login(cp.running.mqttPort!, id, secret)).toBe(0);
    expect(await login(bPort, id, secret)).toBe(0);
    const { status, body } = await cp.api('POST', `/devices/${id}/rotate`);
    expect(status).toBe(200);
    expect(await login(bPort, id, secret)).toBe(4);
    expect(await login(cp.running.mqttPort!, id, secret)).toBe(4);
    // The new secret: scrypt once on A, then proven on B. (A CONNECT that overlaps the broker hearing
    // of the rotation gets CONNACK 3 and connects again, as firmware does.)
    expect(await cost(a(), () => loginRetrying(cp.running.mqttPort!, id, body.secret))).toMatchObject({
      code: 0,
      by: { scrypt: expect.any(Number) },
    });
    const onB = await cost(b!, () => loginRetrying(bPort, id, body.secret));
    expect(onB).toMatchObject({ code: 0, by: { proof: 1 } });
    expect(onB.by.scrypt).toBeUndefined();
  });

  it('refuses a revoked device on both brokers, though both had proven its secret', async () => {
    const { id, secret } = await newDevice();
    expect(await login(cp.running.mqttPort!, id, secret)).toBe(0);
    expect(await login(bPort, id, secret)).toBe(0);
    expect((await cp.api('POST', `/devices/${id}/revoke`)).status).toBe(200);
    expect(await login(bPort, id, secret)).toBe(5);
    expect(await login(cp.running.mqttPort!, id, secret)).toBe(5);
  });
});
