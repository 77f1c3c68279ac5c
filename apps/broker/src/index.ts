export { BrokerModule } from './broker.module.js';
export { MqttBrokerService } from './mqtt-broker.service.js';
export { brokerApp } from './broker.app.js';
