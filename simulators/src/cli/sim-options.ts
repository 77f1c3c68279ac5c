import { getScenario, requiredTypes, SCENARIOS } from '../scenarios/index.js';
import type { SimOptions } from '../simulation/simulation.js';
import type { SimRun } from '../simulation/simulation.js';
import { parseDuration, parseInteger, parseList, parseMixOption, parseTime, UsageError } from './args.js';
import { DEFAULT_CITIES, getCity, CITIES } from '../model/cities.js';

export interface GenerationValues {
  devices?: string;
  cities?: string;
  mix?: string;
  interval?: string;
  duration?: string;
  scenario?: string;
  seed?: string;
  prefix?: string;
  start?: string;
}

/** Simulation options from the command line; `defaultStart` picks the start when --start is absent. */
export function simOptions(values: GenerationValues, defaultStart: (durationMs: number) => number): SimOptions {
  const durationMs = parseDuration('duration', values.duration ?? '1h');
  const seed = parseInteger('seed', values.seed ?? '1', 0, 2 ** 32 - 1);
  const scenario = values.scenario ?? 'normal';
  const found = getScenario(scenario);
  if (!found) throw new UsageError(`--scenario ${scenario}: one of ${SCENARIOS.map((s) => s.name).join(', ')}`);
  if (durationMs < found.minDurationMs)
    throw new UsageError(
      `--duration: ${scenario} needs at least ${found.minDurationMs / 60_000} min to show what it declares`,
    );
  const cities = parseList(values.cities, DEFAULT_CITIES);
  for (const city of cities)
    if (!getCity(city))
      throw new UsageError(`--cities: unknown city ${city} (${CITIES.map((c) => c.name).join(', ')})`);
  const prefix = values.prefix ?? `sim${seed}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/.test(prefix))
    throw new UsageError(`--prefix ${prefix}: 1-16 letters, digits, ".", "_" or "-"`);
  return {
    seed,
    devices: parseInteger('devices', values.devices ?? '100', 1, 1_000_000),
    cities,
    mix: parseMixOption(values.mix),
    ...(values.interval ? { intervalS: parseDuration('interval', values.interval) / 1000 } : {}),
    prefix,
    startMs: values.start ? parseTime('start', values.start) : Math.floor(defaultStart(durationMs)),
    durationMs,
    scenario,
  };
}

/** What a run is about to do, and whether its fleet can show what its scenario declares. */
export function describeRun(run: SimRun): string {
  const { plan, scenario, options, context } = run;
  const perCity = options.cities.map((c) => `${c} ${plan.devices.filter((d) => d.city.name === c).length}`).join(', ');
  const lines = [
    `${plan.devices.length} devices (${perCity}), ${plan.sites.length} sites, seed ${options.seed}, ` +
      `ids ${options.prefix}-…`,
    `simulated ${new Date(options.startMs).toISOString()} ` +
      `… ${new Date(options.startMs + options.durationMs).toISOString()}`,
    `scenario ${scenario.name}: ${scenario.summary}`,
  ];
  if (scenario.name !== 'normal')
    lines.push(
      `  event ${new Date(context.window.startMs).toISOString()} ` +
        `… ${new Date(context.window.endMs).toISOString()} in ${plan.focusCity.name}`,
    );
  const mayRaise = scenario.mayRaise.length > 0 ? `; may raise ${scenario.mayRaise.length} more` : '';
  if (scenario.raises.length > 0) lines.push(`  should raise ${scenario.raises.join(', ')}${mayRaise}`);
  if (scenario.rejects.length > 0) lines.push(`  should be rejected with ${scenario.rejects.join(', ')}`);
  const present = new Set(plan.devices.filter((d) => d.city === plan.focusCity).map((d) => d.type.name));
  const missing = requiredTypes(scenario).filter((t) => !present.has(t));
  if (missing.length > 0)
    lines.push(
      `  warning: no ${missing.join(', ')} in ${plan.focusCity.name}: add devices or change --mix to see ` +
        `every declared alert`,
    );
  return lines.join('\n');
}
