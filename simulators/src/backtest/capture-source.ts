import type { CaptureHeader } from '../capture/capture-format.js';
import { readCaptureHeader, readCaptureLines } from '../capture/capture-reader.js';
import { Backtest, type BacktestOptions, type BacktestResult } from './backtest.js';

/**
 * Runs a capture through a rule set: every publish as the broker would have received it at its
 * simulated time, per device in capture order (the order a replay keeps).
 */
export async function backtestCapture(
  path: string,
  options: BacktestOptions,
  onLine?: (t: number) => void,
): Promise<{ header: CaptureHeader; result: BacktestResult }> {
  const header = await readCaptureHeader(path);
  const backtest = new Backtest(options);
  for await (const line of readCaptureLines(path)) {
    backtest.publish(
      { deviceId: line.deviceId, deviceType: line.type, city: line.city, site: line.site },
      line.payload,
      line.t,
    );
    onLine?.(line.t);
  }
  return { header, result: backtest.finish(header.endMs) };
}
