import type { ProcessApp } from '@citypulse/core';
import { BrokerModule } from './broker.module.js';
import { MqttBrokerService } from './mqtt-broker.service.js';

/** The MQTT broker as a process runs it; it reports the MQTT port it bound (CP_MQTT_PORT may be 0). */
export const brokerApp: ProcessApp = {
  name: 'broker',
  module: BrokerModule,
  ports: (app) => ({ mqttPort: app.get(MqttBrokerService).port }),
};
