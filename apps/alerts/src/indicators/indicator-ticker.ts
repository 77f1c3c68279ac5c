import type { AppConfig } from '@citypulse/config';
import type { Logger, Metrics } from '@citypulse/observability';
import type { AlertStore } from '@citypulse/alert-store';
import { createPointWriter, type InfluxQueryClient, type PointWriter } from '@citypulse/storage';
import { shareStatus, type DeviceRegistry, type ShareAgreement, type ShareStore } from '@citypulse/registry';
import { ruleCatalogue } from '@citypulse/alert-config';
import {
  indicatorLine,
  loadIndicatorDefinitions,
  type IndicatorDefinition,
  type LatestIndicatorValues,
} from '@citypulse/indicators';
import type { AlertQueues } from '../alert-queues.js';
import type { RuleStateRepository } from '../rule-state-repository.js';
import { applyAndClear } from '../apply-outboxes.js';
import { computeIndicator } from './compute-indicator.js';
import { decideIndicatorRules, indicatorStateDevice } from './indicator-rules.js';

export interface IndicatorTickerDeps {
  config: AppConfig;
  shares: ShareStore;
  latest: LatestIndicatorValues;
  influx: InfluxQueryClient;
  registry: DeviceRegistry;
  alerts: AlertStore;
  queues: AlertQueues;
  states: RuleStateRepository;
  metrics: Metrics;
  logger: Logger;
}

/**
 * One computation of every cluster indicator (a tick of the `indicators` job scheduler on the
 * alert-checks queue, so one worker of the cluster runs it per interval): reads the agreements
 * live now, computes each indicator over its window ending CP_INDICATOR_SETTLE_MS ago, writes the
 * value to InfluxDB (`cluster_indicator`) and as the newest value in Redis, then evaluates the
 * indicator's rules — state and outbox stored atomically, the outbox applied as rule evaluation does.
 */
export class IndicatorTicker {
  readonly definitions: IndicatorDefinition[];
  private readonly writer: PointWriter;

  constructor(private readonly deps: IndicatorTickerDeps) {
    this.definitions = loadIndicatorDefinitions(deps.config.indicators.file, ruleCatalogue);
    this.writer = createPointWriter(deps.config.influx);
  }

  async tick(nowMs: number): Promise<string> {
    const live = (await this.deps.shares.list()).filter((s) => shareStatus(s, nowMs) === 'accepted');
    const toMs = nowMs - this.deps.config.indicators.settleMs;
    let failed = 0;
    for (const definition of this.definitions) {
      // One indicator failing (InfluxDB slow or down) leaves the others computed; the next tick tries again.
      await this.computeOne(definition, live, { fromMs: toMs - definition.windowSeconds * 1000, toMs }).catch(
        (err: Error) => {
          failed++;
          this.deps.logger.error({ err, indicator: definition.id }, 'indicator not computed');
        },
      );
    }
    return `${this.definitions.length - failed} indicators computed${failed > 0 ? `, ${failed} failed` : ''}`;
  }

  private async computeOne(
    definition: IndicatorDefinition,
    live: ShareAgreement[],
    window: { fromMs: number; toMs: number },
  ): Promise<void> {
    const { deps } = this;
    const value = await computeIndicator(definition, live, window, deps);
    await deps.latest.put(value);
    // The history is the dashboards'; a failed write must not hold back the rules (the next tick writes again).
    await this.writer
      .write(indicatorLine(value), 1)
      .catch((err: Error) =>
        deps.logger.warn({ err: err.message, indicator: definition.id }, 'indicator value not written to InfluxDB'),
      );
    if (definition.rules.length === 0) return;
    const outboxes = await deps.states.updateMany([indicatorStateDevice(definition.id)], (_id, current) =>
      decideIndicatorRules(current, definition, value),
    );
    await applyAndClear(outboxes, deps);
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}
