import { Module } from '@nestjs/common';
import { RuleEvaluationWorker } from './rule-evaluation.worker.js';

@Module({ providers: [RuleEvaluationWorker] })
export class AlertsModule {}
