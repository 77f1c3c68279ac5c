import { describeError } from '../cli/cli-errors.js';
import { resolveCallerPaths } from './caller-paths.js';

/**
 * `npm run bench -- <command> [options]`: one entry, one module per benchmark, loaded only when
 * asked for. Benchmarks print figures and write them as JSON; they assert nothing.
 */
const COMMANDS: Record<string, { about: string; run: (args: string[]) => Promise<number> }> = {
  ingest: {
    about: 'MQTT QoS 1 → InfluxDB throughput, latency and memory, with InfluxDB and Mosquitto baselines',
    run: async (args) => (await import('./ingest/ingest-bench.js')).runIngestBench(args),
  },
  alerts: {
    about:
      'publish → alert visible p50/p99 under load, alerts expected vs raised, flapping (1 per episode), ' +
      'deadman at 50,000 devices',
    run: async (args) => (await import('./alerts/alerts-bench.js')).runAlertsBench(args),
  },
  provision: {
    about: 'bulk-provision 10,000 devices in one call, connect them all; bulk time, connect rate, broker RSS',
    run: async (args) => (await import('./provision/provision-bench.js')).runProvisionBench(args),
  },
  'device-control': {
    about:
      'commands and desired config to connected DeviceClients: POST/PUT → device handler p50/p99, commands/s ' +
      'to all acked',
    run: async (args) => (await import('./device-control/device-control-bench.js')).runDeviceControlBench(args),
  },
  jobs: {
    about:
      'one fleet job (reboot) over 10,000 connected devices: time to complete, per-state counts adding up, ' +
      'GET /jobs/:id p50/p99 while it runs',
    run: async (args) => (await import('./jobs/jobs-bench.js')).runJobsBench(args),
  },
  connections: {
    about:
      'hold as many device connections on one broker process as the machine allows (target 50,000): ' +
      'RSS/connection, CONNECT rate, PUBACK p99',
    run: async (args) => (await import('./connections/connections-bench.js')).runConnectionsBench(args),
  },
  scale: {
    about:
      'K = 1, 2 processes per role on one Redis and a Redis Cluster: readings/s, lost, CPU µs, Redis commands ' +
      'and pub/sub messages per reading; flat within 15 %?',
    run: async (args) => (await import('./scale/scale-bench.js')).runScaleBench(args),
  },
  soak: {
    about:
      'not in CI: 30 min at half the sustained ingest rate, split processes; RSS, event-loop lag, stream and ' +
      'queue depths each minute; flat? 0 lost?',
    run: async (args) => (await import('./soak/soak-bench.js')).runSoakBench(args),
  },
  profile: {
    about: 'summarise a .cpuprofile (self time by function and by area)',
    run: async (args) => (await import('./profile/profile-summary.js')).runProfileCommand(args),
  },
  'profile-compare': {
    about:
      "two .cpuprofiles of one process (e.g. the broker clustered or not): shares of busy time in each one's " +
      'ingest window, side by side',
    run: async (args) => (await import('./profile/profile-compare.js')).runProfileCompareCommand(args),
  },
};

function usage(): string {
  return [
    'usage: npm run bench -- <command> [options]   (<command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(14)} ${c.about}`),
  ].join('\n');
}

const [command, ...args] = process.argv.slice(2);
const chosen = command ? COMMANDS[command] : undefined;
if (!chosen) {
  const asked = command === undefined || command === '--help' || command === '-h' || command === 'help';
  (asked ? console.log : console.error)(`${asked ? '' : `unknown command: ${command}\n\n`}${usage()}`);
  process.exit(asked ? 0 : 2);
}
try {
  process.exitCode = await chosen.run(resolveCallerPaths(command, args, process.env.INIT_CWD ?? process.cwd()));
} catch (err) {
  // A file or server the user named: one line. Anything else: the whole error, stack included.
  const { message, unexpected } = describeError(err);
  console.error(unexpected || process.env.DEBUG ? err : `error: ${message}`);
  process.exitCode = 1;
}
// Stray handles (a keep-alive socket, a timer) must not keep a finished bench alive.
setTimeout(() => process.exit(), 1000).unref();
