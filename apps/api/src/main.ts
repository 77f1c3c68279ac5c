import { runProcess } from '@citypulse/core';
import { apiApp } from './api.app.js';

await runProcess([apiApp]);
