import { Module } from '@nestjs/common';
import { InfluxModule, redisStore } from '@citypulse/core';
import { MaintenanceCalendar, MaintenanceRepository, RuleRepository } from '@citypulse/alert-config';
import { FirmwareCatalogue } from '@citypulse/firmware';
import { RuleEvaluationWorker } from './rule-evaluation.worker.js';
import { DeletedDevices } from './deleted-devices.js';
import { AlertEventsWorker } from './events/alert-events.worker.js';
import { NotificationWorker } from './notifications/notification.worker.js';
import { AlertChecksWorker } from './checks.worker.js';
import { FleetJobsWorker } from './fleet-jobs/fleet-jobs.worker.js';
import { EscalationWorker } from './escalation/escalation.worker.js';
import { ChannelDeliveryWorker } from './escalation/channel-delivery.worker.js';
import { RuleBook } from './rule-book.js';
import { MAINTENANCE_CALENDAR, RULE_BOOK } from './tokens.js';

@Module({
  imports: [InfluxModule],
  providers: [
    { provide: RULE_BOOK, inject: [RuleRepository], useFactory: (rules: RuleRepository) => new RuleBook(rules) },
    {
      provide: MAINTENANCE_CALENDAR,
      inject: [MaintenanceRepository],
      useFactory: (windows: MaintenanceRepository) => new MaintenanceCalendar(windows),
    },
    // Not among the shared stores (libs/core StoresModule): the firmware lib also brings the S3 client.
    redisStore(FirmwareCatalogue),
    DeletedDevices,
    RuleEvaluationWorker,
    AlertEventsWorker,
    NotificationWorker,
    AlertChecksWorker,
    FleetJobsWorker,
    EscalationWorker,
    ChannelDeliveryWorker,
  ],
})
export class AlertsModule {}
