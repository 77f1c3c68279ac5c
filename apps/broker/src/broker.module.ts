import { Module } from '@nestjs/common';
import { MqttBrokerService } from './mqtt-broker.service.js';
import { AlertForwarder } from './alert-forwarder.js';
import { CommandTimeoutsWorker } from './commands/command-timeouts.worker.js';

@Module({ providers: [MqttBrokerService, AlertForwarder, CommandTimeoutsWorker], exports: [MqttBrokerService] })
export class BrokerModule {}
