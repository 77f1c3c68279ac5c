import { Module } from '@nestjs/common';
import { LOCAL_BROKER } from '@citypulse/core';
import { MqttBrokerService } from './mqtt-broker.service.js';
import { AlertForwarder } from './alert-forwarder.js';
import { ShareForwarder } from './shares/share-forwarder.js';
import { CommandTimeoutsWorker } from './commands/command-timeouts.worker.js';

@Module({
  providers: [
    MqttBrokerService,
    AlertForwarder,
    ShareForwarder,
    CommandTimeoutsWorker,
    { provide: LOCAL_BROKER, useExisting: MqttBrokerService },
  ],
  exports: [MqttBrokerService],
})
export class BrokerModule {}
