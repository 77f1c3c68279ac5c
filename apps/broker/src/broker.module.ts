import { Module } from '@nestjs/common';
import { LOCAL_BROKER } from '@citypulse/core';
import { MqttBrokerService } from './mqtt-broker.service.js';
import { AlertForwarder } from './alert-forwarder.js';
import { CommandTimeoutsWorker } from './commands/command-timeouts.worker.js';

@Module({ providers: [MqttBrokerService, AlertForwarder, CommandTimeoutsWorker, { provide: LOCAL_BROKER, useExisting: MqttBrokerService }], exports: [MqttBrokerService] })
export class BrokerModule {}
