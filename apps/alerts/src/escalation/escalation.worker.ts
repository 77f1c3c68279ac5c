import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { bullWorker } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import { QUEUES, type ChannelDeliveryJob, type EscalationJob } from '@citypulse/contracts';
import { AlertStore, type Alert, type AlertEvent } from '@citypulse/alert-store';
import { ChannelRepository, escalationStep, onDuty, type EscalationPolicy } from '@citypulse/alert-config';
import type { Logger } from '@citypulse/observability';
import { AlertQueues } from '../alert-queues.js';
import { bullJobId } from '@citypulse/redis';
import { toAlertMessage } from '../events/alert-message.js';
import { escalationJobId } from './escalation-jobs.js';

/**
 * Runs escalation steps, each a delayed BullMQ job (in Redis: a restart loses none). A step reads
 * the alert first: acknowledged or resolved, it stops there (nothing is cancelled elsewhere — a
 * step that comes due later is simply ignored); snoozed, it waits for the snooze to end. Otherwise
 * it queues one delivery per channel of its level (and the person on call), and the next step
 * after the next level's delay or the repeat interval. The policy is read at every step, so a
 * change applies to alerts already escalating. Job ids are deterministic: a retried step adds
 * nothing twice.
 */
@Injectable()
export class EscalationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker<EscalationJob>;
  private queues?: AlertQueues;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    private readonly alerts: AlertStore,
    private readonly channels: ChannelRepository,
  ) {
    this.logger = logger.child({ component: 'escalation' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config, alerts, channels } = this;
    const queues = (this.queues = new AlertQueues(config));
    this.worker = bullWorker<EscalationJob>(
      config,
      QUEUES.escalations,
      async (job: Job<EscalationJob>) => {
        const { alertId, step } = job.data;
        const alert = await alerts.get(alertId);
        if (!alert) return 'alert gone';
        if (alert.state !== 'open') return `stopped: ${alert.state}`;
        const snoozedUntilMs = alert.snoozedUntil ? Date.parse(alert.snoozedUntil) : 0;
        if (snoozedUntilMs > Date.now()) {
          await queues.escalations.add('step', job.data, {
            jobId: `${escalationJobId(alertId, step)}|after-snooze-${snoozedUntilMs}`,
            delay: snoozedUntilMs - Date.now(),
          });
          return `snoozed until ${alert.snoozedUntil}`;
        }
        const policy = await channels.policy(alert.city, alert.severity);
        if (!policy || policy.levels.length === 0) return 'no policy any more';
        const { level, nextInMs } = escalationStep(policy, step);
        const deliveries = deliveriesOf(policy, level, alert, step);
        if (job.attemptsMade === 0) {
          const event: AlertEvent = {
            id: `${alertId}:escalation-step:${step}`,
            alertId,
            kind: 'escalation-step',
            at: new Date().toISOString(),
            actor: 'escalation',
            detail: describeStep(policy, level, step, deliveries),
          };
          await alerts.recordNotification(alertId, event);
        }
        if (deliveries.length > 0) {
          await queues.channelDeliveries.addBulk(
            deliveries.map((d) => ({
              name: d.channelId,
              data: d,
              opts: { jobId: `${bullJobId(alertId)}|esc${step}|${d.channelId}${d.recipients ? '|on-call' : ''}` },
            })),
          );
        }
        if (nextInMs !== undefined)
          await queues.escalations.add(
            'step',
            { alertId, step: step + 1 },
            { jobId: escalationJobId(alertId, step + 1), delay: nextInMs },
          );
        return (
          `level ${level + 1}: ${deliveries.length} ` +
          `deliveries${nextInMs === undefined ? ', last step' : `, next in ${nextInMs} ms`}`
        );
      },
      {
        concurrency: 8,
        onFailed: (job, err) =>
          this.logger.warn({ jobId: job?.id, err: err.message }, 'escalation step failed; BullMQ will retry'),
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queues?.close();
  }
}

/**
 * The deliveries of one level: its channels, and the e-mail channel of the rotation addressed to whoever is on call
 * now.
 */
function deliveriesOf(policy: EscalationPolicy, level: number, alert: Alert, step: number): ChannelDeliveryJob[] {
  const spec = policy.levels[level];
  const event: AlertEvent = {
    id: `${alert.id}:escalation-step:${step}`,
    alertId: alert.id,
    kind: 'escalation-step',
    at: new Date().toISOString(),
    actor: 'escalation',
    detail: `level ${level + 1}`,
  };
  const message = toAlertMessage(alert, event);
  const base = { city: alert.city, alertId: alert.id, step, level: level + 1, message };
  const jobs: ChannelDeliveryJob[] = spec.channels.map((channelId) => ({ ...base, channelId }));
  if (spec.onCall && policy.onCall) {
    const person = onDuty(policy.onCall, Date.now());
    jobs.push({ ...base, channelId: policy.onCall.channel, recipients: [person.email] });
  }
  return jobs;
}

function describeStep(policy: EscalationPolicy, level: number, step: number, deliveries: ChannelDeliveryJob[]): string {
  const repeat = step >= policy.levels.length ? ` (repeat ${step - policy.levels.length + 1})` : '';
  const targets = deliveries.map((d) =>
    d.recipients ? `${d.channelId} → on call ${d.recipients.join(', ')}` : d.channelId,
  );
  return `level ${level + 1} of ${policy.levels.length}${repeat}: ${targets.join(', ') || 'no channels'}`;
}
