import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForPort } from '@citypulse/testing';

/** A Mosquitto broker the bench started on a free loopback port; `stop` ends it (only it, by its own handle). */
export interface MosquittoProcess {
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

/**
 * Starts Mosquitto (C, no auth, no persistence) with limits that never drop a QoS 1 message, its
 * config and log in `workDir`, and waits until it listens.
 */
export async function startMosquitto(binary: string, workDir: string): Promise<MosquittoProcess> {
  mkdirSync(workDir, { recursive: true });
  const port = await freePort();
  const config = join(workDir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'set_tcp_nodelay true',
      // 0 = no limit on QoS 1 messages in flight to the subscriber; the queue must not drop either.
      'max_inflight_messages 0',
      'max_queued_messages 10000000',
      'max_queued_bytes 0',
      'log_type error',
      'log_type warning',
      `log_dest file ${join(workDir, 'mosquitto.log')}`,
      '',
    ].join('\n'),
  );
  const stderr = openSync(join(workDir, 'mosquitto.stderr'), 'w');
  const broker = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', stderr] });
  try {
    await waitForPort(port, 10_000);
  } catch (err) {
    await stopChild(broker);
    throw err;
  }
  return { port, pid: broker.pid!, version: mosquittoVersion(binary), stop: () => stopChild(broker) };
}

function mosquittoVersion(binary: string): string {
  // `mosquitto -h` prints its version and exits non-zero; only the first line matters.
  try {
    const out = spawnSync(binary, ['-h'], { encoding: 'utf8' });
    return /version (\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Stops a child this bench started, by its own handle: SIGTERM, SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
