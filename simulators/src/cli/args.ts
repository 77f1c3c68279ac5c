import { DEFAULT_CITIES } from '../model/cities.js';
import { DEFAULT_MIX, parseMix, type Mix } from '../plan/mix.js';

/** A bad command-line value: the CLI prints the message (naming the option) and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `2h`, `1d`, `1500ms`, or plain seconds. */
export function parseDuration(option: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${option} ${text}: expected a duration such as 90s, 30m, 2h or 1d`);
  const ms = Number(match[1]) * UNITS[match[2] ?? 's'];
  if (!(ms > 0)) throw new UsageError(`--${option} ${text}: must be more than zero`);
  return ms;
}

/** `1`, `10` (× real time), or `max` (as fast as the broker acknowledges). */
export function parseSpeed(text: string): number {
  if (text === 'max' || text === 'fast') return Infinity;
  const speed = Number(text.replace(/x$/i, ''));
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new UsageError(`--speed ${text}: expected a positive number (1 = real time, 10 = ten times faster) or max`);
  return speed;
}

export function parseInteger(option: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new UsageError(`--${option} ${text}: expected a whole number from ${min} to ${max}`);
  return value;
}

/** An ISO-8601 date-time (with zone) or epoch ms. */
export function parseTime(option: string, text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new UsageError(
      `--${option} ${text}: expected an ISO-8601 time such as 2025-07-01T08:00:00+08:00, or epoch ms`,
    );
  return ms;
}

export function parseList(text: string | undefined, fallback: readonly string[]): string[] {
  return text
    ? text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [...fallback];
}

export function parseMixOption(text: string | undefined): Mix {
  if (!text) return DEFAULT_MIX;
  try {
    return parseMix(text);
  } catch (err) {
    throw new UsageError(`--mix: ${(err as Error).message}`);
  }
}

/** The options every command that generates traffic takes (run, record). */
export const GENERATION_OPTIONS = {
  devices: { type: 'string', default: '100' },
  cities: { type: 'string', default: DEFAULT_CITIES.join(',') },
  mix: { type: 'string' },
  interval: { type: 'string' },
  duration: { type: 'string', default: '1h' },
  scenario: { type: 'string', default: 'normal' },
  seed: { type: 'string', default: '1' },
  prefix: { type: 'string' },
  start: { type: 'string' },
} as const;

/** The options of every command that talks to a running citypulse (run, replay). */
export const TARGET_OPTIONS = {
  mqtt: { type: 'string' },
  api: { type: 'string' },
  'token-file': { type: 'string' },
  credentials: { type: 'string' },
  reprovision: { type: 'boolean', default: false },
  speed: { type: 'string', default: 'max' },
} as const;
