import type { AlertStore } from '@citypulse/alert-store';
import type { Logger, Metrics } from '@citypulse/observability';
import type { AlertTransition } from '@citypulse/rules';
import type { AlertQueues } from './alert-queues.js';
import type { RuleStateRepository } from './rule-state-repository.js';
import { applyTransitions } from './apply-transitions.js';

export interface ApplyDeps {
  alerts: AlertStore;
  queues: AlertQueues;
  states: RuleStateRepository;
  metrics: Metrics;
  logger: Logger;
}

/**
 * Devices whose outboxes are applied at once. Each device's transitions stay in order; devices
 * are independent, and running them side by side lets the auto-pipelined Redis connection carry
 * many round trips at once (a deadman sweep raising thousands of alerts is otherwise one round
 * trip after another).
 */
const DEVICES_IN_PARALLEL = 64;

/** Applies each device's stored outbox, then clears it (unless another worker appended meanwhile). */
export async function applyAndClear(outboxes: Map<string, AlertTransition[]>, deps: ApplyDeps): Promise<void> {
  const pending = [...outboxes].filter(([, outbox]) => outbox.length > 0);
  const next = async (): Promise<void> => {
    for (let item = pending.pop(); item; item = pending.pop()) {
      const [deviceId, outbox] = item;
      await applyTransitions(deps.alerts, deps.queues, outbox, deps.metrics, deps.logger);
      await deps.states.clearOutbox(deviceId, outbox);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DEVICES_IN_PARALLEL, pending.length) }, next));
}
