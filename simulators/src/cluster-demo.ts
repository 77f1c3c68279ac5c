import type { ApiClient } from './api-client.js';
import type { Fleet } from './fleet.js';

/** What every city of the demo shares with the whole cluster: its meters' power and its building sensors' CO₂, raw. */
const SHARED = { deviceTypes: ['electricity-meter', 'env-sensor'], fields: ['active_power', 'co2'] };
const DAY_MS = 86_400_000;
/** The heat wave: starts a few seconds in, lasts three minutes. */
export const HEATWAVE_START_MS = 5_000;
const HEATWAVE_MS = 180_000;
/**
 * Each city's meter under the heat wave (kW): three make 750, over the demo rule's 550 kW — which no
 * three meters reach without it (the fleet's meters wander within ±167 kW).
 */
export const HEATWAVE_POWER_KW = 250;

/**
 * The cluster scenario `npm start` plays (README "Cluster indicators"): every city of the fleet
 * shares its meters and building sensors with the whole cluster (each share accepted by the next
 * city), then a heat wave across all of them drives every meter's draw up — regional demand
 * (simulators/cluster/indicators.json) climbs past its threshold and the demand-high alert is
 * raised in each city within a minute, then resolves once the heat wave passes.
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
    const shares = await this.api.clusterShares();
    for (const [i, city] of this.cities.entries()) {
      const existing = shares.find((s) => s.fromCity === city && s.status === 'accepted' && Date.parse(s.expiresAt) > Date.now() + DAY_MS / 2 && SHARED.fields.every((f) => s.fields.includes(f)));
      if (existing) continue;
      const now = Date.now();
      const id = await this.api.offerShare({ fromCity: city, toCity: '*', ...SHARED, granularity: { kind: 'raw' }, from: iso(now - DAY_MS), to: iso(now + 30 * DAY_MS), expiresAt: iso(now + 30 * DAY_MS) });
      await this.api.acceptShare(id, this.cities[(i + 1) % this.cities.length]);
      this.log(`cluster: ${city} shares its meters' active_power and its sensors' co2 with the whole cluster (share ${id})`);
    }
    this.timers.push(
      setTimeout(() => {
        this.log(`cluster: heat wave over ${this.cities.join(', ')} — every meter draws ~${HEATWAVE_POWER_KW} kW; regional demand climbs (console #/cluster)`);
        for (const meter of this.fleet.devicesOf('electricity-meter')) meter.overrides.active_power = HEATWAVE_POWER_KW;
        this.timers.push(
          setTimeout(() => {
            for (const meter of this.fleet.devicesOf('electricity-meter')) delete meter.overrides.active_power;
            this.log('cluster: the heat wave passes; regional demand falls back');
          }, HEATWAVE_MS),
        );
      }, HEATWAVE_START_MS),
    );
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
