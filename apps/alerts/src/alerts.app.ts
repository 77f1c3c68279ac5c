import type { ProcessApp } from '@citypulse/core';
import { AlertsModule } from './alerts.module.js';

/** The alerts workers as a process runs them. */
export const alertsApp: ProcessApp = { name: 'alerts', module: AlertsModule };
