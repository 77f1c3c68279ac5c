export { AlertsModule } from './alerts.module.js';
export { alertsApp } from './alerts.app.js';
