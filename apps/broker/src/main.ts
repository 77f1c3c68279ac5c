import { runProcess } from '@citypulse/core';
import { brokerApp } from './broker.app.js';

await runProcess([brokerApp]);
