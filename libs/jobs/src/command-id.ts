import { createHash } from 'node:crypto';

/**
 * The id of the command a job sends one device: derived from both (a UUID in form), so a dispatch
 * retried after a crash names the same command and the store refuses to send it twice.
 */
export function jobCommandId(jobId: string, deviceId: string): string {
  const h = createHash('sha256').update(`fleet-job/${jobId}/${deviceId}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
