import { deviceTopic } from '@citypulse/contracts';
import { RawMqttSocket, SteadyPublisher, uniqueName, waitFor, type PublishingDevice } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { HostileTally } from './hostile-tally.js';

const meterValues = () => ({
  voltage: 228 + Math.random() * 4,
  current: 5,
  active_power: 1.1,
  power_factor: 0.95,
  frequency: 50,
});

/** Hostile traffic comes from its own loopback addresses, never the bystanders' 127.0.0.1. */
let nextAddress = 0;
export function attackerAddress(): string {
  nextAddress++;
  return `127.${100 + Math.floor(nextAddress / 250)}.0.${(nextAddress % 250) + 1}`;
}

/**
 * One citypulse under attack, with bystanders: well-behaved meters publishing QoS 1 the whole time
 * (every PUBACKed reading must be stored at the end) and a probe that checks, after each kind of
 * attack, that the broker still takes a new connection and a publish and the API still answers.
 */
export class HostileRig {
  readonly tally: HostileTally;
  private readonly bystanders: SteadyPublisher;
  private probeCount = 0;

  private constructor(
    readonly cp: TestCitypulse,
    suite: string,
    private readonly probe: PublishingDevice,
    meters: PublishingDevice[],
  ) {
    this.tally = new HostileTally(suite);
    this.bystanders = new SteadyPublisher(cp.mqttUrl, meters, meterValues);
  }

  static async start(suite: string, overrides: Record<string, string> = {}): Promise<HostileRig> {
    const cp = await TestCitypulse.start({ CP_MQTT_CONNECT_TIMEOUT_MS: '1000', ...overrides });
    const meters: PublishingDevice[] = [];
    for (let i = 0; i < 2; i++) meters.push(await provision(cp, 'electricity-meter'));
    const rig = new HostileRig(cp, suite, await provision(cp, 'env-sensor'), meters);
    await rig.bystanders.connect();
    rig.bystanders.start(50, 2);
    return rig;
  }

  get mqttPort(): number {
    return this.cp.running.mqttPort!;
  }

  provision(type = 'env-sensor'): Promise<PublishingDevice> {
    return provision(this.cp, type);
  }

  /** Whether the service still serves: the API answers, and a device can connect and get a PUBACK. */
  async stillServing(): Promise<boolean> {
    const api = await fetch(`http://127.0.0.1:${this.cp.running.httpPort}/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    const { socket, returnCode } = await RawMqttSocket.login(this.mqttPort, {
      clientId: this.probe.id,
      username: this.probe.id,
      password: this.probe.secret,
    }).catch(() => ({ socket: undefined, returnCode: -1 }));
    if (!socket || returnCode !== 0) return false;
    const messageId = ++this.probeCount;
    socket.send({
      cmd: 'publish',
      topic: deviceTopic(this.probe.id, 'telemetry'),
      payload: Buffer.from(JSON.stringify({ values: { co2: 500 } })),
      qos: 1,
      messageId,
      retain: false,
      dup: false,
    });
    const puback = await socket.next('puback', 5000);
    await socket.destroy();
    return api && puback?.messageId === messageId;
  }

  /** Records whether the service survived a category, and returns it for an assertion. */
  async checkSurvived(category: string): Promise<boolean> {
    const up = await this.stillServing();
    this.tally.survived(category, up);
    return up;
  }

  /**
   * Waits (bounded) until the bystanders get `more` PUBACKs beyond those they have now: after the
   * last attack they must still be served. Returns their total; a quick suite may have run its
   * attacks in well under a second, so a count taken at the end alone says little.
   */
  async bystandersStillAcked(more = 20): Promise<number> {
    const target = this.bystanders.acked.size + more;
    await waitFor(
      () => this.bystanders.acked.size,
      (n) => n >= target,
      { timeoutMs: 15_000, what: `${more} more bystander PUBACKs` },
    );
    return this.bystanders.acked.size;
  }

  /** Stops the bystanders and returns their PUBACKed readings missing from InfluxDB (must be none). */
  async bystandersLost(): Promise<string[]> {
    await this.bystanders.stop();
    const acked = this.bystanders.acked;
    const stored = () =>
      this.cp.influx
        .query('SELECT voltage, device_id FROM energy', { epoch: 'ms' })
        .then((rows) => new Set(rows.map((r) => `${String(r.device_id)}@${String(r.time)}`)));
    const found = await waitFor(stored, (s) => [...acked].every((k) => s.has(k)), {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'every bystander reading stored',
    }).catch(() => stored());
    return [...acked].filter((k) => !found.has(k));
  }

  /** A counter or gauge from GET /metrics (0 when absent), e.g. `name{label="value"}`. */
  async metric(series: string): Promise<number> {
    const text = await fetch(`http://127.0.0.1:${this.cp.running.httpPort}/metrics`, {
      headers: { authorization: `Bearer ${this.cp.config.http.adminToken}` },
    }).then((r) => r.text());
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  }

  get probeId(): string {
    return this.probe.id;
  }

  /** Device ids with at least one point stored in a measurement. */
  async devicesWithPoints(measurement: string): Promise<string[]> {
    const rows = await this.cp.influx.query(`SHOW TAG VALUES FROM "${measurement}" WITH KEY = "device_id"`);
    return rows.map((r) => String(r.value));
  }

  /** Prints the counts (visible in CI output) and stops everything. */
  async stop(): Promise<void> {
    process.stdout.write(`\n${this.tally.table()}\nbystander readings PUBACKed: ${this.bystanders.acked.size}\n`);
    await this.bystanders.close();
    await this.cp.stop();
  }
}

async function provision(cp: TestCitypulse, type: string): Promise<PublishingDevice> {
  const id = uniqueName(`${type.split('-')[0]}-`);
  const city = type === 'electricity-meter' ? 'tianjin' : 'beijing';
  return { id, secret: await cp.provision({ id, type, city, site: `${city}-site-1` }) };
}
