import { Module } from '@nestjs/common';
import { InfluxModule } from '@citypulse/core';
import { AlertsController } from '../alerts/alerts.controller.js';
import { LiveAlerts } from '../alerts/live-alerts.js';
import { OverdueController } from '../alerts/overdue.controller.js';
import { RulesController } from '../rules/rules.controller.js';
import { WebhooksController } from '../webhooks/webhooks.controller.js';
import { QueuesController } from '../queues/queues.controller.js';
import { AuditController } from '../audit/audit.controller.js';
import { MaintenanceWindowsController } from '../maintenance/maintenance-windows.controller.js';
import { MaintenanceMarks } from '../maintenance/maintenance-marks.js';
import { ApiQueues } from './api-queues.js';
import { ChannelsController } from '../channels/channels.controller.js';
import { EscalationPoliciesController } from '../channels/escalation-policies.controller.js';

/**
 * The alerting part of the API: alerts, rules, webhooks, maintenance windows, cities' notification channels and
 * escalation policies, queues, audit log.
 */
@Module({
  imports: [InfluxModule],
  controllers: [
    AlertsController,
    OverdueController,
    RulesController,
    WebhooksController,
    QueuesController,
    AuditController,
    MaintenanceWindowsController,
    ChannelsController,
    EscalationPoliciesController,
  ],
  providers: [ApiQueues, LiveAlerts, MaintenanceMarks],
  exports: [ApiQueues, LiveAlerts],
})
export class AlertingApiModule {}
