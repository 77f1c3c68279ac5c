import { runProcess } from '@citypulse/core';
import { alertsApp } from './alerts.app.js';

await runProcess([alertsApp]);
