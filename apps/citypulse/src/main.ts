// Alone and first (see apps/broker/src/main.ts): the broker's mqtt-packet must load after this.
import '../../broker/src/aedes/quiet-mqtt-packet-debug.js';

const { runProcess } = await import('@citypulse/core');
const { appsNamed } = await import('./run-apps.js');

// The all-in-one process: the apps named in CP_APPS (all four by default).
await runProcess((config) => appsNamed(config.apps));
