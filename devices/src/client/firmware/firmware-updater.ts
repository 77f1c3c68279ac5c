import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandMessage, ConfigValue, FirmwareFailureReason, FirmwareReport } from '@citypulse/contracts';
import { FIRMWARE_UPDATE_COMMAND } from '@citypulse/devices';
import type { DeviceClient } from '../device-client.js';
import { DownloadError, downloadImage } from './download-image.js';

export interface FirmwareUpdaterOptions {
  /** The version running now; reported after every connect. */
  currentVersion: string;
  /** Where images are downloaded to (a partial download stays there to be resumed). */
  downloadDir: string;
  /**
   * Installs the verified image at `path` (write it to the inactive slot, switch the boot slot …).
   * Throwing fails the update with `install_failed` and the old version keeps running.
   */
  install: (path: string, update: { version: string; sha256: string }) => Promise<void> | void;
  /** Restarts into the new image; until it resolves the device reports `rebooting`. @defaultValue nothing to do */
  reboot?: (version: string) => Promise<void> | void;
  /** Report download progress every this many percent. @defaultValue 10 */
  progressStepPercent?: number;
  /** Download retries and timeouts (see downloadImage). */
  download?: { maxAttempts?: number; retryDelayMs?: number; idleTimeoutMs?: number };
}

/** Thrown to fail the command: its message is the ack's error, one of FIRMWARE_FAILURE_REASONS. */
class UpdateFailed extends Error {
  constructor(readonly reason: FirmwareFailureReason) {
    super(reason);
  }
}

/**
 * The device side of over-the-air updates (devices/README.md, *Firmware updates*): handles the
 * `firmware-update` command — download (resumed with Range after a broken connection), check size
 * and SHA-256, install, reboot — reporting each step on the state topic, and acks the command only
 * at the end: succeeded `{version}`, or failed with the reason (the old version keeps running).
 * One update at a time; a second command meanwhile fails with `busy`.
 */
export class FirmwareUpdater {
  private version: string;
  private busy = false;

  constructor(
    private readonly client: DeviceClient,
    private readonly options: FirmwareUpdaterOptions,
  ) {
    this.version = options.currentVersion;
    client.handleCommand(FIRMWARE_UPDATE_COMMAND, (params, command) => this.update(params, command));
    // What runs now, after every (re)connect: the registry's firmwareVersion comes from this.
    client.on('connected', () => client.reportFirmware({ version: this.version }));
  }

  get currentVersion(): string {
    return this.version;
  }

  private async update(params: Record<string, ConfigValue>, command: CommandMessage): Promise<{ version: string }> {
    const target = String(params.version);
    const report = (step: Omit<FirmwareReport, 'version' | 'target' | 'commandId'>) =>
      this.client.reportFirmware({ version: this.version, target, commandId: command.id, ...step });
    if (this.busy) throw new UpdateFailed('busy');
    this.busy = true;
    try {
      const path = await this.download(params, report);
      report({ state: 'verifying' });
      if ((await sha256Of(path)) !== params.sha256) {
        await rm(path, { force: true });
        throw new UpdateFailed('sha256_mismatch');
      }
      report({ state: 'installing' });
      await this.install(path, target, String(params.sha256));
      report({ state: 'rebooting' });
      await this.options.reboot?.(target);
      this.version = target;
      report({ state: 'done' });
      return { version: target };
    } catch (err) {
      const reason = err instanceof UpdateFailed ? err.reason : 'install_failed';
      report({ state: 'failed', reason });
      throw err instanceof UpdateFailed ? err : new UpdateFailed(reason);
    } finally {
      this.busy = false;
    }
  }

  private async download(
    params: Record<string, ConfigValue>,
    report: (step: Omit<FirmwareReport, 'version' | 'target' | 'commandId'>) => void,
  ): Promise<string> {
    const size = Number(params.size);
    const step = this.options.progressStepPercent ?? 10;
    await mkdir(this.options.downloadDir, { recursive: true });
    // Named by the image's hash: a repeated command for the same image resumes the same file.
    const path = join(
      this.options.downloadDir,
      `${String(params.sha256)
        .replace(/[^0-9a-f]/g, '')
        .slice(0, 64)}.img`,
    );
    let reported = -1;
    const progress = (bytes: number) => {
      const percent = Math.floor(((bytes / size) * 100) / step) * step;
      if (percent === reported) return;
      reported = percent;
      report({ state: 'downloading', percent });
    };
    progress(0);
    try {
      await downloadImage({
        url: String(params.url),
        token: String(params.token),
        size,
        sha256: String(params.sha256),
        path,
        onProgress: progress,
        ...this.options.download,
      });
    } catch (err) {
      if (err instanceof DownloadError) {
        if (err.reason === 'size_mismatch') await rm(path, { force: true });
        throw new UpdateFailed(err.reason);
      }
      throw new UpdateFailed('download_failed');
    }
    return path;
  }

  private async install(path: string, version: string, sha256: string): Promise<void> {
    try {
      await this.options.install(path, { version, sha256 });
    } catch {
      throw new UpdateFailed('install_failed');
    } finally {
      await rm(path, { force: true });
    }
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
