import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; one root logger per process, children per component. */
export function createLogger(level: string, instanceId: string): Logger {
  return pino({ level, base: { instance: instanceId } });
}
