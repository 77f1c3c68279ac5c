import type { AlertStore } from '@citypulse/alert-store';
import type { Logger, Metrics } from '@citypulse/observability';
import type { AlertTransition } from './alert-transition.js';
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

/** Applies each device's stored outbox, then clears it (unless another worker appended meanwhile). */
export async function applyAndClear(outboxes: Map<string, AlertTransition[]>, deps: ApplyDeps): Promise<void> {
  for (const [deviceId, outbox] of outboxes) {
    if (outbox.length === 0) continue;
    await applyTransitions(deps.alerts, deps.queues, outbox, deps.metrics, deps.logger);
    await deps.states.clearOutbox(deviceId, outbox);
  }
}
