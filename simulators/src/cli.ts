import { describeError } from './cli/cli-errors.js';

const HELP = `citypulse simulator — npm run sim -- <command> [options]

  run        simulate a fleet against a running citypulse (provisions through the API)
  record     generate a run into a capture file (gzip NDJSON), no broker needed
  replay     send a capture to a broker
  tap        record a city's live traffic into a capture (an operator token's MQTT login)
  capture    build a capture from stored history (--from-influx)
  backtest   what would a rule set have raised on a capture, or on a range in InfluxDB
  scenarios  list the scenarios and what each declares
  rules      print the catalogue's rules as JSON (a starting point for --rules)
  hash       SHA-256 of a capture's content
  cleanup    remove a run's or replay's devices (--prefix sim1 [--city beijing]) with their state

generation (run, record)
  --devices 100  --cities beijing,tianjin,shijiazhuang  --mix env-sensor=4,traffic=2
  --interval 60s (default: each type's catalogue interval)  --duration 1h  --scenario normal
  --seed 1  --prefix sim1 (device ids: <prefix>-<city>-<type>-001)
  --start <ISO> (run: so the run ends as it is sent; record: ends at the current minute)
  the same seed and options give byte-identical traffic

target (run, replay)
  --mqtt mqtt://127.0.0.1:11883  --api http://127.0.0.1:13000  (defaults from CP_* variables)
  --token-file <file> (default: CP_API_TOKEN, else .stack/api-token)
  --credentials .sim/credentials.json (device secrets, kept locally, never in captures)
  --reprovision (replace devices that exist without a secret we know)
  --speed max | 1 | 10   (simulated time per wall time; max = as fast as PUBACKs come)

run       --record <file>   also write what is sent to a capture
record    --out <file>
replay    <file> [--timestamps keep|now] [--prefix replay2]
          keep = backfill at the captured times (≤ 7 days old); --prefix renames the devices, so a
          second replay is not judged late by the rule state the first one left
backtest  <file> | --influx --from <ISO> [--to <ISO>] | --influx --last 24h
          [--rules candidate.json [--only]] [--current catalogue|api] [--json report.json]
          [--device-pattern '^sim1-'] [--city beijing] [--type env-sensor] [--lateness 60s]
tap       --city beijing[,tianjin] --duration 10m --out <file> [--types env-sensor,…]
          [--token-file <operator token>] [--mqtt …] [--api …]   (Ctrl-C ends it early)
capture   --from-influx --city beijing --from <ISO> [--to <ISO>] | --last 24h --out <file>
          [--types env-sensor,…] [--influx-url http://127.0.0.1:18086] [--db citypulse]`;

/** Each command's module is loaded only when asked for: `help` and a mistyped command answer at once. */
const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<void> | void>> = {
  run: async () => (await import('./cli/run-command.js')).runCommand,
  record: async () => (await import('./cli/record-command.js')).recordCommand,
  replay: async () => (await import('./cli/replay-command.js')).replayCommand,
  backtest: async () => (await import('./cli/backtest-command.js')).backtestCommand,
  tap: async () => (await import('./cli/tap-command.js')).tapCommand,
  capture: async () => (await import('./cli/capture-command.js')).captureCommand,
  scenarios: async () => (await import('./cli/info-commands.js')).scenariosCommand,
  rules: async () => (await import('./cli/info-commands.js')).rulesCommand,
  hash: async () => (await import('./cli/info-commands.js')).hashCommand,
  cleanup: async () => (await import('./cli/cleanup-command.js')).cleanupCommand,
};

const [command, ...argv] = process.argv.slice(2);
if (!command || command === 'help' || command === '--help' || command === '-h') {
  console.log(HELP);
} else if (!Object.hasOwn(COMMANDS, command)) {
  console.error(`error: unknown command ${command} (npm run sim -- help lists them)`);
  process.exitCode = 2;
} else {
  try {
    await (
      await COMMANDS[command]()
    )(argv);
  } catch (err) {
    // One line the user can act on; the stack only when asked for (DEBUG=1).
    const { message, exitCode, unexpected } = describeError(err);
    const hint =
      exitCode === 2 ? ' (npm run sim -- help)' : unexpected && !process.env.DEBUG ? ' (DEBUG=1 shows where)' : '';
    console.error(`error: ${message}${hint}`);
    if (process.env.DEBUG) console.error(err);
    process.exitCode = exitCode;
  }
}
// Open sockets or timers must not keep a finished command alive.
if (process.exitCode !== undefined && process.exitCode !== 0) process.exit();
