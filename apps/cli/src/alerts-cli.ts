import { parseArgs } from 'node:util';
import { sseEvents } from '@citypulse/sse';
import { alertLine, type AlertStreamMessage } from './alert-line.js';
import { UsageError, apiToken, apiUrl } from './api-target.js';

const HELP = `citypulse alerts in a terminal — npm run alerts -- <command> [options]

  tail [--city beijing] [--severity critical]
        follows the live alert stream (GET /alerts/stream): one line per event, coloured by
        severity, with the alert id; reconnects when the stream drops. Ctrl-C stops it.
  ack <alert id> [--note "text"] [--by name]
        acknowledges the alert (POST /alerts/{id}/acknowledge); the note is kept in its history.

options: --api http://127.0.0.1:13000 (default: CP_HTTP_PORT)
         --token-file <file> (default: CP_API_TOKEN, else .stack/api-token)
         --color auto|always|never (default auto: when the output is a terminal and NO_COLOR is unset)`;

const COMMON = {
  api: { type: 'string' },
  'token-file': { type: 'string' },
  color: { type: 'string', default: 'auto' },
} as const;
const SEVERITIES = ['info', 'warning', 'critical'];

async function tail(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...COMMON, city: { type: 'string' }, severity: { type: 'string' } },
  });
  if (values.severity !== undefined && !SEVERITIES.includes(values.severity))
    throw new UsageError(`--severity ${values.severity}: expected one of ${SEVERITIES.join(', ')}`);
  const base = apiUrl(values.api);
  const token = await apiToken(values['token-file']);
  const colour =
    values.color === 'always' || (values.color === 'auto' && Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  const query = new URLSearchParams();
  if (values.city) query.set('city', values.city);
  if (values.severity) query.set('severity', values.severity);
  const url = `${base}/alerts/stream${query.size > 0 ? `?${query}` : ''}`;
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());

  let delayMs = 500;
  while (!stop.signal.aborted) {
    try {
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
        signal: stop.signal,
      });
      // A refused token or filter will not get better by retrying.
      if (response.status >= 400 && response.status < 500)
        throw new UsageError(`GET ${url}: ${response.status} ${await response.text()}`);
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      console.error(`following ${url} (Ctrl-C stops)`);
      delayMs = 500;
      for await (const event of sseEvents(response.body)) {
        const message = parse(event.data);
        if (message) console.log(alertLine(message, colour));
      }
      if (!stop.signal.aborted)
        console.error('stream ended; reconnecting (the live stream is at-most-once: npm run alerts is no audit trail)');
    } catch (error) {
      if (stop.signal.aborted) break;
      if (error instanceof UsageError) throw error;
      console.error(`stream failed (${(error as Error).message}); reconnecting in ${delayMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 15_000);
  }
}

function parse(data: string): AlertStreamMessage | undefined {
  try {
    const message = JSON.parse(data) as AlertStreamMessage;
    return message?.alert?.id && message.event?.kind ? message : undefined;
  } catch {
    return undefined;
  }
}

async function ack(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...COMMON, note: { type: 'string' }, by: { type: 'string' } },
  });
  const [id, ...extra] = positionals;
  if (!id || extra.length > 0) throw new UsageError('ack takes one alert id: npm run alerts -- ack <id> [--note "…"]');
  const base = apiUrl(values.api);
  const token = await apiToken(values['token-file']);
  const by = values.by ?? process.env.USER ?? 'terminal';
  const response = await fetch(`${base}/alerts/${encodeURIComponent(id)}/acknowledge`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ by, ...(values.note && { note: values.note }) }),
  });
  const body = (await response.json().catch(() => ({}))) as { state?: string; message?: string | string[] };
  if (!response.ok) {
    const reason = Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? '');
    console.error(`not acknowledged: ${response.status} ${reason}`);
    process.exitCode = 1;
    return;
  }
  console.log(`acknowledged ${id} by ${by}${values.note ? ` with note “${values.note}”` : ''} (state ${body.state})`);
}

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = { tail, ack };

const [command, ...argv] = process.argv.slice(2);
if (!command || command === 'help' || command === '--help' || command === '-h') {
  console.log(HELP);
} else if (!Object.hasOwn(COMMANDS, command)) {
  console.error(`unknown command ${command}\n\n${HELP}`);
  process.exitCode = 2;
} else {
  try {
    await COMMANDS[command](argv);
  } catch (error) {
    const usage =
      error instanceof UsageError ||
      String((error as { code?: string | number }).code ?? '').startsWith('ERR_PARSE_ARGS');
    console.error(usage ? `${(error as Error).message}\n(npm run alerts -- help)` : error);
    process.exitCode = usage ? 2 : 1;
  }
}
