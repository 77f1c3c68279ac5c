/** Redis keys of one hand-off stream. The backlog counter lives beside the stream it counts. */
export function handoffKeys(prefix: string) {
  return {
    stream: `${prefix}:handoff`,
    /** Readings appended but not yet acknowledged by a consumer (i.e. not yet in InfluxDB). */
    backlog: `${prefix}:handoff:backlog`,
  };
}

export const INGEST_GROUP = 'ingest';
