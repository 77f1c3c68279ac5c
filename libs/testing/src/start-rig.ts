/**
 * Brings up a rig of several processes: `start` starts them; if it throws, `rig.stop()` takes down
 * the ones that did start (and the rig's database and keys) before the error is rethrown, so no
 * process outlives a test that never got its rig.
 */
export async function startRig<R extends { stop(): Promise<unknown> }>(
  rig: R,
  start: () => Promise<unknown>,
): Promise<R> {
  try {
    await start();
    return rig;
  } catch (err) {
    await rig.stop().catch(() => undefined);
    throw err;
  }
}
