/**
 * The rule jobs this worker process evaluated lately, by id. A job waits for the jobs its ingest
 * process added before it (`after`) — but with one alerts worker, or jobs that landed on this one,
 * those were evaluated right here: asking Redis for each one's state was a script call per id per
 * job, for an answer this process already had. Only ids missing here
 * are asked about. Bounded: the oldest are forgotten first (a forgotten id is just asked again).
 */
export class JobsEvaluatedHere {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  add(id: string): void {
    this.ids.add(id);
    // A Set iterates in insertion order: its first value is the oldest.
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }

  /** The ids of `ids` not evaluated here (or forgotten since). */
  notAmong(ids: readonly string[]): string[] {
    return ids.filter((id) => !this.ids.has(id));
  }
}
