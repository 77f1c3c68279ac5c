import mqtt from 'mqtt';
import { bridgeLines, parseBridgeArgs, type BridgeMessage } from './bridge-lines.js';

/**
 * The plain bridge's subscriber, run by the ingest bench as a process of its own (so its CPU is
 * measured apart): one mqtt.js client subscribed to every device's telemetry, each payload turned
 * into lines by `bridgeLines`, batched by count or time and POSTed to InfluxDB's /write. No
 * authentication, no validation, no durability: a reading whose write fails is gone. Reports its
 * totals to the bench over IPC after each write.
 */
const args = parseBridgeArgs(process.argv.slice(2));
const writeUrl = `${args.influxUrl}/write?db=${encodeURIComponent(args.database)}&precision=u`;
const send = (message: BridgeMessage) => process.send?.(message);

let batch: string[] = [];
let timer: NodeJS.Timeout | undefined;
const waiting: string[][] = [];
let inFlight = 0;
let lines = 0;
let writes = 0;
let failedLines = 0;

const client = mqtt.connect(args.mqttUrl, { clientId: 'plain-bridge', clean: true, reconnectPeriod: 0 });
client.on('message', (topic, payload) => {
  for (const line of bridgeLines(topic, payload, args.measurement)) batch.push(line);
  if (batch.length >= args.batchLines) flush();
  else timer ??= setTimeout(flush, args.flushMs);
});
client.on('connect', () => {
  client.subscribe('devices/+/telemetry', { qos: args.qos }, (err) => {
    if (err) throw err;
    send({ type: 'ready' });
  });
});
client.on('error', (err) => {
  console.error(`plain bridge: MQTT: ${err.message}`);
  process.exitCode = 1;
});
process.on('disconnect', () => client.end(true, () => process.exit()));

function flush(): void {
  clearTimeout(timer);
  timer = undefined;
  if (batch.length === 0) return;
  waiting.push(batch);
  batch = [];
  pump();
}

function pump(): void {
  while (inFlight < args.maxWritesInFlight && waiting.length > 0) void write(waiting.shift()!);
}

async function write(body: string[]): Promise<void> {
  inFlight++;
  let error: string | undefined;
  try {
    const response = await fetch(writeUrl, { method: 'POST', body: body.join('\n') });
    if (response.ok) lines += body.length;
    else error = `InfluxDB answered ${response.status}: ${(await response.text()).slice(0, 200)}`;
  } catch (err) {
    error = (err as Error).message;
  }
  if (error !== undefined) failedLines += body.length;
  writes++;
  inFlight--;
  send({ type: 'written', lines, writes, failedLines, ...(error === undefined ? {} : { error }) });
  pump();
}
