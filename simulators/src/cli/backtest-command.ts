import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { RuleDefinition } from '@citypulse/rules';
import type { BacktestResult } from '../backtest/backtest.js';
import { backtestCapture } from '../backtest/capture-source.js';
import { readCaptureHeader } from '../capture/capture-reader.js';
import { formatReport } from '../backtest/format-report.js';
import { backtestInflux, type InfluxRange } from '../backtest/influx-source.js';
import { compareBacktests } from '../backtest/report.js';
import { candidateRuleSet, catalogueRuleSet, parseRuleSet, readRuleFile } from '../backtest/rule-sets.js';
import { parseDuration, UsageError } from './args.js';
import { influxClient, INFLUX_OPTIONS, parseTimeRange } from './history-options.js';
import { showStepProgress } from './progress.js';
import { apiToken, defaultApiUrl, serviceConfig } from './target.js';

/**
 * `sim backtest`: what would a candidate rule set have raised on this traffic? Runs a capture
 * (or a time range in InfluxDB) through the candidate and the current rules — the broker's decode
 * and the alerts worker's own decision code, nothing raised for real — and reports per-rule
 * counts, the timeline and the difference.
 */
export async function backtestCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      rules: { type: 'string' },
      only: { type: 'boolean', default: false },
      current: { type: 'string', default: 'catalogue' },
      api: { type: 'string' },
      'token-file': { type: 'string' },
      influx: { type: 'boolean', default: false },
      ...INFLUX_OPTIONS,
      from: { type: 'string' },
      to: { type: 'string' },
      last: { type: 'string' },
      'device-pattern': { type: 'string' },
      city: { type: 'string' },
      type: { type: 'string' },
      lateness: { type: 'string', default: '60s' },
      json: { type: 'string' },
      timeline: { type: 'string', default: '50' },
    },
  });
  const config = serviceConfig();
  const current = await currentRules(values.current, values.api ?? defaultApiUrl(config), values['token-file'], config);
  const candidate = values.rules ? candidateRuleSet(await readRuleFile(values.rules), current, values.only) : current;
  const options = (rules: RuleDefinition[]) => ({
    rules,
    allowedLatenessMs: parseDuration('lateness', values.lateness),
  });

  let title: string;
  let endMs: number;
  let run: (rules: RuleDefinition[]) => Promise<BacktestResult>;
  if (values.influx) {
    const range = influxRange(values);
    const influx = influxClient(values, config);
    title = `backtest of InfluxDB ${new Date(range.fromMs).toISOString()} … ${new Date(range.toMs).toISOString()}`;
    endMs = range.toMs;
    run = (rules) =>
      withPassProgress(rules === current ? 'current' : 'candidate', range.fromMs, range.toMs, (onReached) =>
        backtestInflux(influx, range, options(rules), onReached),
      );
  } else {
    const [path] = positionals;
    if (!path) throw new UsageError('backtest what? a capture file, or --influx with --from/--to (or --last)');
    const header = await readCaptureHeader(path);
    title =
      `backtest of ${path} (${header.scenario}, seed ${header.seed}, ${header.devices.length} ` +
      `devices, ${new Date(header.startMs).toISOString()} … ${new Date(header.endMs).toISOString()})`;
    endMs = header.endMs;
    run = (rules) =>
      withPassProgress(
        rules === current ? 'current' : 'candidate',
        header.startMs,
        header.endMs,
        async (onReached) => (await backtestCapture(path, options(rules), onReached)).result,
      );
  }
  const candidateResult = await run(candidate);
  // Without --rules the candidate is the current set: one pass answers both.
  const currentResult = candidate === current ? candidateResult : await run(current);
  const report = compareBacktests(candidateResult, currentResult, candidate, current, endMs);
  const note = candidate.some((r) => r.condition.kind === 'deadman')
    ? '\n(deadman rules are played on event time: what the scheduled check would have raised had this traffic ' +
      'been live)'
    : '';
  console.log(formatReport(report, title, Number(values.timeline)) + note);
  if (values.json) {
    await writeFile(values.json, JSON.stringify({ title, report, alerts: candidateResult.alerts }, null, 1));
    console.log(`\nreport written to ${values.json}`);
  }
}

/** One pass of the traffic through a rule set, with a progress bar by the time it has reached. */
async function withPassProgress<T>(
  rules: string,
  fromMs: number,
  toMs: number,
  pass: (onReached: (ms: number) => void) => Promise<T>,
): Promise<T> {
  let reached = fromMs;
  const progress = showStepProgress(`backtest (${rules} rules)`, toMs - fromMs, () => ({
    done: reached - fromMs,
    detail: new Date(reached).toISOString().slice(0, 19),
  }));
  try {
    return await pass((ms) => (reached = ms));
  } finally {
    progress.stop();
  }
}

async function currentRules(
  source: string,
  apiUrl: string,
  tokenFile: string | undefined,
  config: ReturnType<typeof serviceConfig>,
): Promise<RuleDefinition[]> {
  if (source === 'catalogue') return catalogueRuleSet();
  if (source !== 'api')
    throw new UsageError(
      `--current ${source}: catalogue (the catalogue's defaults) or api (the rules in force, from GET /rules)`,
    );
  const response = await fetch(`${apiUrl.replace(/\/+$/, '')}/rules`, {
    headers: { authorization: `Bearer ${await apiToken(tokenFile, config)}` },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status !== 200) throw new Error(`GET ${apiUrl}/rules: ${response.status} ${await response.text()}`);
  return parseRuleSet(await response.text(), `${apiUrl}/rules`);
}

function influxRange(values: {
  from?: string;
  to?: string;
  last?: string;
  'device-pattern'?: string;
  city?: string;
  type?: string;
}): InfluxRange {
  return {
    ...parseTimeRange(values),
    deviceIdPattern: values['device-pattern'],
    city: values.city,
    deviceType: values.type,
  };
}
