// Alone and first: mqtt-packet must find its silent logger in place when aedes loads it, and Node
// runs a CommonJS package as soon as the static import graph holding it loads, before any module
// of that graph runs — so the rest is imported once this has run.
import './aedes/quiet-mqtt-packet-debug.js';

const { runProcess } = await import('@citypulse/core');
const { brokerApp } = await import('./broker.app.js');

await runProcess([brokerApp]);
