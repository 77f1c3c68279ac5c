import { parseArgs } from 'node:util';
import { tapLive, TapRefused, tokenIdentity } from '../capture/tap.js';
import { parseDuration, UsageError } from './args.js';
import { parseCities, parseTypes } from './history-options.js';
import { apiToken, defaultApiUrl, defaultMqttUrl, serviceConfig } from './target.js';

/**
 * `sim tap`: records a city's live telemetry into a capture for a while, through the read-only
 * MQTT login of an operator token (POST /tokens); Ctrl-C ends it early and keeps what was heard.
 * The capture replays and backtests like a simulator's.
 */
export async function tapCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      city: { type: 'string' },
      types: { type: 'string' },
      duration: { type: 'string' },
      out: { type: 'string', short: 'o' },
      mqtt: { type: 'string' },
      api: { type: 'string' },
      'token-file': { type: 'string' },
    },
  });
  const cities = parseCities(values.city);
  const types = parseTypes(values.types);
  if (!values.duration) throw new UsageError('--duration: how long to tap, e.g. --duration 10m (Ctrl-C ends it early)');
  const durationMs = parseDuration('duration', values.duration);
  if (!values.out) throw new UsageError('--out: the capture file to write, e.g. --out beijing.ndjson.gz');
  const config = serviceConfig();
  const apiUrl = (values.api ?? defaultApiUrl(config)).replace(/\/+$/, '');
  const mqttUrl = values.mqtt ?? defaultMqttUrl(config);
  const token = await apiToken(values['token-file'], config);

  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  let kept = 0;
  const status = setInterval(() => process.stderr.write(`${kept} publishes recorded\n`), 10_000);
  try {
    const identity = await tokenIdentity(apiUrl, token);
    const outside = identity.cities ? cities.filter((c) => !identity.cities!.includes(c)) : [];
    if (outside.length > 0)
      throw new UsageError(
        `--city ${outside.join(',')}: the token ${identity.name} sees only ${identity.cities!.join(', ')}`,
      );
    console.log(
      `tapping ${cities.join(', ')}${types ? ` (${types.join(', ')})` : ''} on ${mqttUrl} as ` +
        `operator:${identity.name} for ${values.duration} (Ctrl-C ends it early) …`,
    );
    const result = await tapLive(values.out, {
      mqttUrl,
      apiUrl,
      token,
      login: identity.name,
      cities,
      types,
      durationMs,
      signal: stop.signal,
      onListening: () => console.log(`listening   ${new Date().toISOString()}`),
      onLine: () => kept++,
      log: (line) => console.error(`  ! ${line}`),
    });
    console.log(
      `recorded    ${result.capture.lines} publishes of ${result.devices} devices (${result.heard} heard) ` +
        `to ${result.capture.path}, ${new Date(result.startedAtMs).toISOString()} ` +
        `… ${new Date(result.endedAtMs).toISOString()}`,
    );
    console.log(`sha256      ${result.capture.sha256}`);
    if (result.reconnects > 0)
      console.log(`gaps        ${result.reconnects} reconnect(s): traffic published meanwhile is missing`);
  } catch (err) {
    if (err instanceof TapRefused) throw new UsageError(err.message);
    throw err;
  } finally {
    clearInterval(status);
    process.off('SIGINT', onSigint);
  }
}
