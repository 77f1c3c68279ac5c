import type { Effects, Values } from '../model/effects.js';
import { finish } from '../model/finish.js';
import { modelFor } from '../model/models.js';
import { planFleet, type FleetOptions } from '../plan/fleet-plan.js';
import type { FleetPlan, PlannedDevice } from '../plan/types.js';
import { garbagePayload } from '../scenarios/garbage-payload.js';
import { getScenario, SCENARIOS, type Scenario, type ScenarioContext } from '../scenarios/index.js';
import { TickHeap } from './min-heap.js';

export interface SimOptions extends FleetOptions {
  /** Simulated epoch ms of the first reading's interval. */
  startMs: number;
  durationMs: number;
  scenario: string;
}

/** One MQTT publish the simulation makes, at simulated time `t`. */
export interface SimPublish {
  t: number;
  device: PlannedDevice;
  topic: 'telemetry';
  payload: string;
  /** The device reconnects before sending this (reconnect storms). */
  reconnect: boolean;
}

export interface SimRun {
  options: SimOptions;
  plan: FleetPlan;
  scenario: Scenario;
  context: ScenarioContext;
}

const NO_EFFECTS: Effects = Object.freeze({});

export function prepareRun(options: SimOptions): SimRun {
  const scenario = getScenario(options.scenario);
  if (!scenario)
    throw new Error(`unknown scenario "${options.scenario}" (one of ${SCENARIOS.map((s) => s.name).join(', ')})`);
  if (!(options.durationMs > 0)) throw new Error('duration must be positive');
  const plan = planFleet(options);
  const [from, to] = scenario.window;
  const window = {
    startMs: options.startMs + from * options.durationMs,
    endMs: options.startMs + to * options.durationMs,
  };
  return { options, plan, scenario, context: { seed: options.seed, plan, window } };
}

/** How many readings the run schedules (before a scenario drops any): the progress bar's total. */
export function scheduledReadings(run: SimRun): number {
  const { startMs, durationMs } = run.options;
  let total = 0;
  for (const d of run.plan.devices)
    total += Math.max(0, Math.ceil((startMs + durationMs - (startMs + d.phaseMs)) / d.intervalMs));
  return total;
}

interface DeviceCursor {
  device: PlannedDevice;
  state: unknown;
  lastT?: number;
  /** What a stuck sensor keeps repeating. */
  frozen?: Values;
}

/**
 * The run's publishes in simulated-time order (ties by device id): every device reports on its
 * own interval and phase; its model turns (seed, device, time, scenario effects, small state)
 * into values; the scenario's faults then drop, freeze, garble, skew or reconnect. A pure
 * function of the options: the same options give the same publishes, byte for byte.
 */
export function* simulate(run: SimRun): Generator<SimPublish> {
  const { plan, scenario, context, options } = run;
  const endMs = options.startMs + options.durationMs;
  const cursors: DeviceCursor[] = plan.devices.map((device) => ({ device, state: undefined }));
  const heap = new TickHeap();
  cursors.forEach((c, i) => {
    const first = options.startMs + c.device.phaseMs;
    if (first < endMs) heap.push(first, i);
  });
  for (let next = heap.pop(); next; next = heap.pop()) {
    const [t, i] = next;
    const cursor = cursors[i];
    const { device } = cursor;
    if (t + device.intervalMs < endMs) heap.push(t + device.intervalMs, i);

    const model = modelFor(device.type.name);
    const ctx = {
      seed: options.seed,
      device,
      tMs: t,
      dtMs: cursor.lastT === undefined ? device.intervalMs : t - cursor.lastT,
      effects: scenario.effects?.(device, t, context) ?? NO_EFFECTS,
    };
    // The world moves on whether or not the reading gets out: counters keep counting through a dropout.
    const { values: raw, state } = model.read(ctx, cursor.state ?? model.initial(ctx));
    cursor.state = state;
    cursor.lastT = t;
    let values = finish(device.type, raw);

    const fault = scenario.fault?.(device, t, context);
    if (fault?.kind === 'drop') continue;
    if (fault?.kind === 'stuck') values = cursor.frozen ??= values;
    else cursor.frozen = undefined;
    const ts = fault?.kind === 'skew' ? t + fault.offsetMs : t;
    const payload =
      fault?.kind === 'garbage'
        ? garbagePayload(fault.variant, device.type, ts, values)
        : JSON.stringify({ ts, values });
    yield { t, device, topic: 'telemetry', payload, reconnect: fault?.kind === 'reconnect' };
  }
}
