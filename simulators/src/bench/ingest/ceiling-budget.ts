/**
 * What a share of the InfluxDB ceiling would ask of one run, in CPU per reading. The ceiling is
 * InfluxDB writing pre-built lines with the machine to itself; our pipeline shares the same cores
 * with it. At `share` × the ceiling, the cores give each reading `cores × 1 s ÷ rate` of CPU;
 * InfluxDB takes its own part of that (as measured in this run), and everything else — our
 * processes, Redis, the load generator, the kernel's network work — must fit in what is left.
 * Printed beside the ratio so a run says by itself how far the rest is from the budget.
 */
export interface CeilingBudget {
  share: number;
  /** `share` × the ceiling's lines/s: the readings/s the share means. */
  readingsPerSecond: number;
  /** CPU per reading the cores give at that rate (all of them busy). */
  availableUs: number;
  /** InfluxDB's CPU per reading in this run. */
  influxdUs: number;
  /** What that leaves for everything else. */
  budgetUs: number;
  /** What everything else took in this run, and by whom. */
  restUs: number;
  rest: Record<string, number>;
}

export interface CeilingBudgetInput {
  cores: number;
  ceilingLinesPerSecond: number;
  share: number;
  /** CPU µs per stored reading per process, `influxd` among them (`cpuUsPerReading`). */
  usPerReading: Record<string, number>;
  /** Unlisted CPU (kernel, other processes) per reading, if known: `others` in the machine's busy time. */
  othersUs?: number;
}

/** Undefined without a ceiling or without InfluxDB's own CPU per reading. */
export function ceilingBudget(input: CeilingBudgetInput): CeilingBudget | undefined {
  const influxdUs = input.usPerReading.influxd;
  if (!(input.ceilingLinesPerSecond > 0) || influxdUs === undefined) return undefined;
  const readingsPerSecond = input.share * input.ceilingLinesPerSecond;
  const availableUs = (input.cores * 1e6) / readingsPerSecond;
  const rest: Record<string, number> = {};
  for (const [name, us] of Object.entries(input.usPerReading)) if (name !== 'influxd') rest[name] = us;
  if (input.othersUs !== undefined) rest.others = input.othersUs;
  const restUs = Object.values(rest).reduce((sum, us) => sum + us, 0);
  return {
    share: input.share,
    readingsPerSecond,
    availableUs,
    influxdUs,
    budgetUs: availableUs - influxdUs,
    restUs,
    rest,
  };
}

/** `others` % of one core during publishing → µs per reading at the publish-phase rate. */
export function othersUsPerReading(
  othersPercentOfCore: number | undefined,
  readingsPerSecond: number,
): number | undefined {
  if (othersPercentOfCore === undefined || !(readingsPerSecond > 0)) return undefined;
  return ((othersPercentOfCore / 100) * 1e6) / readingsPerSecond;
}

/** One line: "172,558 readings/s on 2 cores = 11.59 µs of CPU per reading; influxd's 4.01 leave 7.58 …". */
export function budgetText(budget: CeilingBudget, cores: number): string {
  const us = (n: number) => n.toFixed(2);
  const parts = Object.entries(budget.rest)
    .map(([name, value]) => `${name} ${us(value)}`)
    .join(', ');
  const verdict = budget.restUs <= budget.budgetUs ? 'within it' : `${us(budget.restUs - budget.budgetUs)} over`;
  return (
    `${Math.round(budget.readingsPerSecond).toLocaleString('en-US')} readings/s on ${cores} cores = ` +
    `${us(budget.availableUs)} µs of CPU per reading; influxd's ${us(budget.influxdUs)} leave ` +
    `${us(budget.budgetUs)} for the rest, which took ${us(budget.restUs)} (${parts}): ${verdict}`
  );
}
