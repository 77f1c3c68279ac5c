import { Module } from '@nestjs/common';
import { MqttBrokerService } from './mqtt-broker.service.js';
import { AlertForwarder } from './alert-forwarder.js';

@Module({ providers: [MqttBrokerService, AlertForwarder], exports: [MqttBrokerService] })
export class BrokerModule {}
