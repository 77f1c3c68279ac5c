import { parseArgs } from 'node:util';
import { ApiClient } from './api-client.js';
import { Fleet } from './fleet.js';
import { ClusterDemo } from './cluster-demo.js';

/** `npm start` runs this next to citypulse: a small simulated fleet and where to look. */
const { values: args } = parseArgs({
  options: {
    api: { type: 'string', default: 'http://127.0.0.1:13000' },
    mqtt: { type: 'string', default: 'mqtt://127.0.0.1:11883' },
    cities: { type: 'string', default: 'beijing,tianjin,shijiazhuang' },
    'interval-ms': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    'no-demo-alert': { type: 'boolean', default: false },
    'no-cluster-demo': { type: 'boolean', default: false },
    'firmware-dir': { type: 'string', default: '.sim/firmware' },
  },
});

const token = process.env.CP_API_TOKEN;
if (!token) {
  console.error('CP_API_TOKEN must be set to an admin API token');
  process.exit(2);
}

const log = (line: string) => console.log(`[fleet ${new Date().toISOString().slice(11, 19)}] ${line}`);
const api = new ApiClient(args.api, token);
const fleet = new Fleet(api, {
  mqttUrl: args.mqtt,
  cities: args.cities.split(','),
  intervalMs: Number(args['interval-ms']),
  seed: Number(args.seed),
  demoAlert: !args['no-demo-alert'],
  firmwareDir: args['firmware-dir'],
  log,
});
await fleet.start();
const cities = args.cities.split(',');
const cluster = args['no-cluster-demo'] || cities.length < 2 ? undefined : new ClusterDemo(api, fleet, cities, log);
await cluster?.start();

const auth = `-H "Authorization: Bearer $(cat .stack/api-token)"`;
console.log(`
citypulse is running with ${fleet.stats.devices} simulated devices in ${args.cities}.
  MQTT broker      ${args.mqtt}   (devices/{id}/telemetry; see devices/README.md)
  HTTP API         ${args.api}     (token in .stack/api-token)
  operator console ${args.api}/console   (sign in with the token in .stack/api-token)
  API docs         ${args.api}/docs   (OpenAPI: ${args.api}/docs/json)
  alerts, live     npm run alerts -- tail   (npm run alerts -- ack <id> --note "…")
  cluster          ${args.api}/console/#/cluster   (a heat wave drives regional demand past its rule:
                   an alert in every city within a minute; then an incident on the border crossing)
  indicators       curl -s ${auth} ${args.api}/indicators
  devices          curl -s ${auth} ${args.api}/devices
  alerts           curl -s ${auth} ${args.api}/alerts
  latest reading   curl -s ${auth} ${args.api}/telemetry/sim-beijing-env-sensor-1/latest
  rejections       curl -s ${auth} ${args.api}/rejections
  firmware update  npm run ota -- sim-beijing-env-sensor-1 1.1.0   (uploads an image, sends firmware-update, follows it)
  InfluxDB         curl -sG http://127.0.0.1:18086/query --data-urlencode db=citypulse --data-urlencode "q=SELECT * FROM building ORDER BY time DESC LIMIT 5"
Ctrl-C stops everything.
`);

const report = setInterval(() => {
  const s = fleet.stats;
  log(`sent ${s.sent}, acked ${s.acked}, rejected readings ${s.rejectedReadings}`);
}, 10_000);

const stop = async () => {
  clearInterval(report);
  cluster?.stop();
  await fleet.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
