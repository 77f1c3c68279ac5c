/**
 * The service processes' production Node flags, as in scripts/start.sh and docker-compose.yml;
 * every bench starts citypulse (and the plain bridge) with them, so it measures what runs.
 *
 * - `--max-semi-space-size=64`: a larger young generation; the reading path allocates many
 *   short-lived strings (+9 % measured).
 * - `--no-allocation-site-pretenuring`: V8 otherwise may decide, from one young-generation
 *   collection in which many of a site's objects were still alive (the first second's burst of
 *   in-flight publishes), to allocate everything that site makes in the old generation from then
 *   on. It did so, at random, for the broker's per-publish serialisation (toHandoffPublish): the
 *   broker's GC time went from ~1 to ~4.6 µs per single reading for the rest of the run (mark-
 *   compact every 1.5 s), 13–15 instead of 8–9 µs per reading in all, in about half the runs.
 *   Measured with the flag: 9 runs of 9 in the fast mode, batches unchanged (README, "The cost of
 *   a reading": pretenuring).
 */
export const PRODUCTION_NODE_ARGS: readonly string[] = [
  '--enable-source-maps',
  '--max-semi-space-size=64',
  '--no-allocation-site-pretenuring',
];
