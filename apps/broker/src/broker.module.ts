import { Module } from '@nestjs/common';
import { MqttBrokerService } from './mqtt-broker.service.js';

@Module({ providers: [MqttBrokerService], exports: [MqttBrokerService] })
export class BrokerModule {}
