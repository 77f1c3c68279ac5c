import { Cleanup } from './cleanup.js';
import { log } from './bench-log.js';

export interface BenchCommand<O> {
  /** Parses the arguments; 'help' for --help; throws one error naming every bad option. */
  parse: (argv: string[]) => O | 'help';
  help: () => string;
  /** The run itself; resolves with the exit code. Everything it starts goes on `cleanup`. */
  run: (options: O, cleanup: Cleanup) => Promise<number>;
}

/**
 * The frame every `npm run bench -- <name>` shares: options or help (exit 2 on bad options), then
 * the run, with its cleanup steps run at the end, on an error, and on Ctrl-C or SIGTERM — so a
 * bench never leaves a citypulse process, a database or Redis keys behind.
 */
export async function runBenchCommand<O>(argv: string[], command: BenchCommand<O>): Promise<number> {
  let options: O | 'help';
  try {
    options = command.parse(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${command.help()}`);
    return 2;
  }
  if (options === 'help') {
    console.log(command.help());
    return 0;
  }
  const cleanup = new Cleanup();
  const interrupted = () => {
    log('interrupted: stopping what the bench started');
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await command.run(options, cleanup);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanup.runAll();
  }
}
