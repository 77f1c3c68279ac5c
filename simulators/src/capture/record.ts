import { simulate, type SimRun } from '../simulation/simulation.js';
import { captureHeader, captureLine } from './capture-format.js';
import { CaptureWriter, type CaptureSummary } from './capture-writer.js';

/** Generates a whole run straight into a capture file, on the simulated clock (no broker, no waiting). */
export async function recordRun(run: SimRun, path: string, onLine?: (t: number) => void): Promise<CaptureSummary> {
  const writer = await CaptureWriter.open(path, captureHeader(run));
  for (const publish of simulate(run)) {
    await writer.write(captureLine(publish));
    onLine?.(publish.t);
  }
  return writer.close();
}
