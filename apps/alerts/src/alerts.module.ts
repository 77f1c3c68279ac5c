import { Module } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { InfluxModule, REDIS } from '@citypulse/core';
import { MaintenanceCalendar, MaintenanceRepository, RuleRepository } from '@citypulse/alert-config';
import { RuleEvaluationWorker } from './rule-evaluation.worker.js';
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
    { provide: RULE_BOOK, inject: [REDIS, APP_CONFIG], useFactory: (redis: RedisClient, config: AppConfig) => new RuleBook(new RuleRepository(redis, config.redis.prefix)) },
    {
      provide: MAINTENANCE_CALENDAR,
      inject: [REDIS, APP_CONFIG],
      useFactory: (redis: RedisClient, config: AppConfig) => new MaintenanceCalendar(new MaintenanceRepository(redis, config.redis.prefix)),
    },
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
