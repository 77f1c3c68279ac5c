import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One option of a bench: its kind, default and the line `--help` prints for it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  default: string | boolean;
  help: string;
}

/** The options every bench that starts citypulse shares: where the stack is, what to keep, where files go. */
export const STACK_OPTIONS = {
  // The stack's ports (scripts/stack.sh) unless CP_REDIS_URL / CP_INFLUX_URL say otherwise.
  'redis-url': {
    type: 'string',
    default: process.env.CP_REDIS_URL ?? 'redis://127.0.0.1:16379',
    help: 'Redis (env CP_REDIS_URL)',
  },
  'influx-url': {
    type: 'string',
    default: process.env.CP_INFLUX_URL ?? 'http://127.0.0.1:18086',
    help: 'InfluxDB 1.x (env CP_INFLUX_URL)',
  },
  keep: { type: 'boolean', default: false, help: "keep the run's InfluxDB database and Redis keys" },
  'out-dir': { type: 'string', default: '.bench', help: 'where the JSON report and logs go' },
  entry: {
    type: 'string',
    default: 'dist/apps/citypulse/src/main.js',
    help: 'the service entry (built by npm run build)',
  },
  help: { type: 'boolean', default: false, help: 'print this' },
} as const satisfies Record<string, OptionSpec>;

/** What STACK_OPTIONS parse into. */
export interface StackOptions {
  redisUrl: string;
  influxUrl: string;
  keep: boolean;
  outDir: string;
  entry: string;
}

/** `--name <v>   help (default x)`, one line per option, flags padded to `width`. */
export function optionLines(specs: Record<string, OptionSpec>, width: number): string[] {
  return Object.entries(specs).map(([name, s]) => {
    const flag = s.type === 'string' ? `--${name} <v>` : `--${name}`;
    return `  ${flag.padEnd(width)} ${s.help}${s.type === 'string' ? ` (default ${s.default})` : ''}`;
  });
}

/**
 * Parsed option values with checks that collect every problem, so one run of the command names
 * all the bad options at once: read what you need, then `done()` throws if any was bad.
 */
export class OptionValues<K extends string> {
  private readonly problems: string[] = [];

  constructor(readonly values: Record<K, string | boolean | undefined>) {}

  /** An integer within [min, max]; the message names the bounds only when asked to (`max` given). */
  int(name: K, min: number, max?: number): number {
    const n = Number(this.values[name]);
    if (!Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
      this.problems.push(
        max === undefined
          ? `--${name} must be an integer ≥ ${min}, not ${this.values[name]}`
          : `--${name} must be an integer from ${min} to ${max}, not ${this.values[name]}`,
      );
    }
    return n;
  }

  string(name: K): string {
    return String(this.values[name]);
  }

  /** One of `choices`; the message lists them. */
  oneOf<C extends string>(name: K, choices: readonly C[]): C {
    const value = this.string(name);
    if (!(choices as readonly string[]).includes(value))
      this.problems.push(`--${name} must be one of ${choices.join(', ')}, not ${value}`);
    return value as C;
  }

  flag(name: K): boolean {
    return Boolean(this.values[name]);
  }

  /** The InfluxDB URL without a trailing slash (paths are appended to it). */
  url(name: K): string {
    return this.string(name).replace(/\/+$/, '');
  }

  /** The STACK_OPTIONS values (only for specs that include them). */
  stack(): StackOptions {
    const v = this.values as Record<string, string | boolean | undefined>;
    return {
      redisUrl: String(v['redis-url']),
      influxUrl: String(v['influx-url']).replace(/\/+$/, ''),
      keep: Boolean(v.keep),
      outDir: String(v['out-dir']),
      entry: String(v.entry),
    };
  }

  problem(message: string): void {
    this.problems.push(message);
  }

  done(): void {
    if (this.problems.length > 0) throw new Error(this.problems.join('\n'));
  }
}

/** Parses `argv` strictly against `specs`; 'help' for --help. */
export function readOptions<S extends Record<string, OptionSpec>>(
  argv: string[],
  specs: S,
): OptionValues<Extract<keyof S, string>> | 'help' {
  const options: ParseArgsConfig['options'] = specs;
  const values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<
    string,
    string | boolean | undefined
  >;
  if (values.help) return 'help';
  return new OptionValues(values);
}
