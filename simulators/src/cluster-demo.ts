import type { ApiClient } from './api-client.js';
import type { Fleet } from './fleet.js';

const DAY_MS = 86_400_000;
/** What every city of the demo shares with the whole cluster: its meters' power and its building sensors' CO₂, raw. */
const CITY_SHARE = { deviceTypes: ['electricity-meter', 'env-sensor'], fields: ['active_power', 'co2'] };
/**
 * What the two border cities share too: the vehicle counts of their detectors on the crossing, and nothing else of
 * their roads.
 */
const BORDER_SHARE = { deviceTypes: ['traffic-detector'], fields: ['vehicle_count'] };

/** The heat wave: starts a few seconds in, lasts three minutes. */
export const HEATWAVE_START_MS = 5_000;
const HEATWAVE_MS = 180_000;
/**
 * Each city's meter under the heat wave (kW): three make 750, over the demo rule's 550 kW — which no
 * three meters reach without it (the fleet's meters wander within ±167 kW).
 */
export const HEATWAVE_POWER_KW = 250;

/**
 * The road crossing the border of the first two cities: one detector on each side, at the sites the border-traffic
 * indicator names.
 */
export const BORDER_SITE = (city: string) => `${city}-g1-border`;
/**
 * Vehicles per reading on each side of the crossing, normally and after the incident (two sides: 90, then 8; the rule
 * fires below 30).
 */
export const BORDER_FLOW = { normal: 45, incident: 4 };
/** The incident on the crossing: after the demand alert, for two minutes. */
export const INCIDENT_START_MS = 40_000;
const INCIDENT_MS = 120_000;

/**
 * The cluster scenario `npm start` plays (README "Cluster indicators"), definitions in
 * simulators/cluster/indicators.json:
 * - every city of the fleet shares its meters and building sensors with the whole cluster (each
 *   share accepted by the next city); a heat wave across all of them drives every meter's draw
 *   up — regional demand climbs past its threshold and the demand-high alert is raised in each
 *   city within a minute, then resolves once the heat wave passes;
 * - the first two cities share their detectors on the road crossing their border; an incident on
 *   the crossing cuts the flow both ways, and the border-flow-low alert is raised in both cities
 *   (and only those), then resolves once the road clears.
 */
export class ClusterDemo {
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly api: ApiClient,
    private readonly fleet: Fleet,
    private readonly cities: string[],
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    const border = this.cities.slice(0, 2);
    for (const city of border) {
      const detector = await this.fleet.add(`sim-${city}-g1-border`, 'traffic-detector', city, BORDER_SITE(city));
      detector.overrides.vehicle_count = BORDER_FLOW.normal;
    }
    const live = await this.api.clusterShares();
    for (const [i, city] of this.cities.entries()) {
      const acceptor = this.cities[(i + 1) % this.cities.length];
      await this.share(live, city, acceptor, CITY_SHARE, `its meters' active_power and its sensors' co2`);
      if (border.includes(city))
        await this.share(
          live,
          city,
          acceptor,
          { ...BORDER_SHARE, sites: [BORDER_SITE(city)] },
          `its vehicle counts on the border crossing ${BORDER_SITE(city)}`,
        );
    }
    this.after(HEATWAVE_START_MS, () => {
      this.log(
        `cluster: heat wave over ${this.cities.join(', ')} — every meter draws ~${HEATWAVE_POWER_KW} kW; ` +
          `regional demand climbs (console #/cluster)`,
      );
      this.setEach('electricity-meter', { active_power: HEATWAVE_POWER_KW });
      this.after(HEATWAVE_MS, () => {
        this.setEach('electricity-meter', { active_power: undefined });
        this.log('cluster: the heat wave passes; regional demand falls back');
      });
    });
    this.after(INCIDENT_START_MS, () => {
      this.log(
        `cluster: incident on the G1 crossing between ${border.join(' and ')} — traffic across the border nearly stops`,
      );
      this.setBorder({ vehicle_count: BORDER_FLOW.incident, mean_speed: 8 });
      this.after(INCIDENT_MS, () => {
        this.setBorder({ vehicle_count: BORDER_FLOW.normal, mean_speed: undefined });
        this.log('cluster: the G1 crossing is clear again');
      });
    });
  }

  /**
   * Offers the share unless a live one from the city already gives these fields (an earlier run's), accepted by
   * `acceptor`.
   */
  private async share(
    live: Awaited<ReturnType<ApiClient['clusterShares']>>,
    city: string,
    acceptor: string,
    what: { deviceTypes: string[]; fields: string[]; sites?: string[] },
    says: string,
  ): Promise<void> {
    const exists = live.some(
      (s) =>
        s.fromCity === city &&
        s.status === 'accepted' &&
        Date.parse(s.expiresAt) > Date.now() + DAY_MS &&
        what.fields.every((f) => s.fields.includes(f)),
    );
    if (exists) return;
    const now = Date.now();
    const id = await this.api.offerShare({
      fromCity: city,
      toCity: '*',
      ...what,
      granularity: { kind: 'raw' },
      from: iso(now - DAY_MS),
      to: iso(now + 30 * DAY_MS),
      expiresAt: iso(now + 30 * DAY_MS),
    });
    await this.api.acceptShare(id, acceptor);
    this.log(`cluster: ${city} shares ${says} with the whole cluster (share ${id})`);
  }

  private after(ms: number, run: () => void): void {
    this.timers.push(setTimeout(run, ms));
  }

  private setEach(type: string, values: Record<string, number | undefined>): void {
    for (const device of this.fleet.devicesOf(type)) setOverrides(device.overrides, values);
  }

  private setBorder(values: Record<string, number | undefined>): void {
    for (const device of this.fleet.devicesOf('traffic-detector'))
      if (device.id.endsWith('-g1-border')) setOverrides(device.overrides, values);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }
}

/** Sets each value as an override; undefined lets the generator take the field back. */
function setOverrides(overrides: Record<string, number>, values: Record<string, number | undefined>): void {
  for (const [field, value] of Object.entries(values)) {
    if (value === undefined) delete overrides[field];
    else overrides[field] = value;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
