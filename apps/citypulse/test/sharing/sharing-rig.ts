import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { SseClient } from '../alerts/sse-client.js';

/** A connected electricity meter of Tianjin. */
export interface Meter {
  id: string;
  site: string;
  client: MqttClient;
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const minuteOf = (ms: number) => Math.floor(ms / 60_000) * 60_000;

/**
 * One citypulse for a sharing test file, with Tianjin as the offering city and Beijing as the
 * receiving one: admin tokens of both, a Beijing operator, a Hebei operator (a city no share is
 * offered to), and helpers to offer-and-accept shares, connect meters and read as Beijing.
 */
export class SharingRig {
  readonly meters: Meter[] = [];

  private constructor(
    readonly cp: TestCitypulse,
    readonly tokens: Record<'tjAdmin' | 'bjAdmin' | 'bjOperator' | 'hbOperator', string>,
    readonly names: Record<'bjOperator', string>,
  ) {}

  static async start(overrides: Record<string, string>): Promise<SharingRig> {
    const cp = await TestCitypulse.start(overrides);
    const bjOperator = uniqueName('bj-op-');
    const [tjAdmin, bjAdmin, bjOperatorToken, hbOperator] = await Promise.all([
      cp.issueToken(uniqueName('tj-admin-'), 'admin', ['tianjin']),
      cp.issueToken(uniqueName('bj-admin-'), 'admin', ['beijing']),
      cp.issueToken(bjOperator, 'operator', ['beijing']),
      cp.issueToken(uniqueName('hb-op-'), 'operator', ['hebei']),
    ]);
    return new SharingRig(cp, { tjAdmin, bjAdmin, bjOperator: bjOperatorToken, hbOperator }, { bjOperator });
  }

  /** Tianjin's admin offers Beijing a share of its meters' active_power (the body adds or overrides): the answer. */
  propose(body: Record<string, unknown>): Promise<{ status: number; body: any }> {
    return this.cp.api(
      'POST',
      '/shares',
      {
        fromCity: 'tianjin',
        toCity: 'beijing',
        deviceTypes: ['electricity-meter'],
        fields: ['active_power'],
        from: iso(Date.now() - 3_600_000),
        to: iso(Date.now() + 3_600_000),
        expiresAt: iso(Date.now() + 3_600_000),
        ...body,
      },
      this.tokens.tjAdmin,
    );
  }

  /** As propose, and Beijing's admin accepts: the share's id. */
  async offer(body: Record<string, unknown>): Promise<string> {
    const offered = await this.propose(body);
    if (offered.status !== 201) throw new Error(`offer: ${offered.status} ${JSON.stringify(offered.body)}`);
    const accepted = await this.cp.api('POST', `/shares/${offered.body.id}/accept`, {}, this.tokens.bjAdmin);
    if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    return offered.body.id as string;
  }

  /** Provisions and connects one Tianjin meter per site given. */
  async connectMeters(sites: readonly string[]): Promise<Meter[]> {
    const meters = await Promise.all(
      sites.map(async (site, i) => {
        const id = uniqueName(`tj-m-${i}-`);
        const secret = await this.cp.provision({ id, type: 'electricity-meter', city: 'tianjin', site });
        return { id, site, client: await this.cp.connectDevice(id, secret) };
      }),
    );
    this.meters.push(...meters);
    return meters;
  }

  async send(meter: Meter, ts: number, activePower: number): Promise<void> {
    await meter.client.publishAsync(
      deviceTopic(meter.id, 'telemetry'),
      JSON.stringify({ ts, values: { active_power: activePower, voltage: 230 } }),
      { qos: 1 },
    );
  }

  /** Waits until InfluxDB holds `n` active_power readings in [fromMs, toMs). */
  async stored(n: number, fromMs: number, toMs: number): Promise<void> {
    await waitFor(
      async () =>
        (
          await this.cp.influx.query(
            `SELECT count("active_power") AS n FROM "energy" WHERE time >= ${fromMs}ms AND time < ${toMs}ms`,
          )
        )[0]?.n,
      (count) => count === n,
      { what: `${n} readings stored`, timeoutMs: 10_000 },
    );
  }

  async operatorLogin(name = this.names.bjOperator, token = this.tokens.bjOperator): Promise<MqttClient> {
    return mqtt.connectAsync(this.cp.mqttUrl, {
      clientId: `operator:${name}`,
      username: `operator:${name}`,
      password: token,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
  }

  sse(id: string, token = this.tokens.bjOperator): Promise<SseClient> {
    return SseClient.open(`http://127.0.0.1:${this.cp.running.httpPort}/shares/${id}/stream`, token);
  }

  async exportOf(id: string, query: string, token = this.tokens.bjOperator) {
    const response = await fetch(`http://127.0.0.1:${this.cp.running.httpPort}/shares/${id}/export?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, text: await response.text() };
  }

  async stop(): Promise<void> {
    await Promise.all(this.meters.map((m) => m.client.endAsync()));
    await this.cp?.stop();
  }
}

/** NDJSON lines as objects. */
export const ndjson = (text: string): any[] =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
