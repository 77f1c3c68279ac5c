import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** What a client needs to reach the running server's bucket. */
export interface S3Endpoint {
  endpoint: string;
  bucket: string;
  region: string;
  /** s3rver's fixed account: it checks every request's signature against it. */
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * s3rver (a real S3-compatible HTTP server, pure JS) as its own OS process on a port the OS
 * picks, storing into a fresh temporary directory with one bucket, for tests of S3 code.
 */
export class S3rverProcess {
  private child?: ChildProcess;
  readonly directory = mkdtempSync(join(tmpdir(), 'cp-s3rver-'));

  constructor(readonly bucket = 'citypulse-test') {}

  /** Starts the server and resolves with its endpoint once it listens. */
  async start(timeoutMs = 15_000): Promise<S3Endpoint> {
    const bin = resolve(process.cwd(), 'node_modules', 's3rver', 'bin', 's3rver.js');
    const child = spawn(
      process.execPath,
      [
        bin,
        '--directory',
        this.directory,
        '--address',
        '127.0.0.1',
        '--port',
        '0',
        '--silent',
        '--configure-bucket',
        this.bucket,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    const port = await new Promise<number>((resolvePort, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`s3rver did not start in ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const listening = /S3rver listening on [^:\s]+:(\d+)/.exec(output);
        if (listening) {
          clearTimeout(timer);
          resolvePort(Number(listening[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`s3rver exited with ${code} before listening:\n${output}`));
      });
    });
    return {
      endpoint: `http://127.0.0.1:${port}`,
      bucket: this.bucket,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    };
  }

  /** Stops the server and removes everything it stored. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}
