import { fork, type ChildProcess } from 'node:child_process';
import type { HolderCommand, HolderReply } from './holder-protocol.js';

/**
 * The connection holder processes of a run (connection-holder.ts), each told what to do over its
 * IPC channel and answering once it has done it. A holder that dies or reports an error fails
 * the whole step: figures from part of the fleet would be misleading.
 */
export class HolderPool {
  private constructor(readonly children: ChildProcess[]) {}

  static start(count: number): HolderPool {
    const entry = new URL('./connection-holder.js', import.meta.url);
    return new HolderPool(
      Array.from({ length: count }, () =>
        fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--enable-source-maps'] }),
      ),
    );
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid!);
  }

  /** Sends each holder its command (by index) and waits for every reply of the expected kind. */
  async each<R extends HolderReply>(command: (index: number) => HolderCommand, expected: R['cmd']): Promise<R[]> {
    return Promise.all(
      this.children.map(
        (child, i) =>
          new Promise<R>((resolve, reject) => {
            const onMessage = (reply: HolderReply) => {
              if (reply.cmd === 'error') finish(() => reject(new Error(`holder ${child.pid}: ${reply.message}`)));
              else if (reply.cmd === expected) finish(() => resolve(reply as R));
            };
            const onExit = (code: number | null) =>
              finish(() => reject(new Error(`holder ${child.pid} exited (code ${code}) during ${expected}`)));
            const finish = (settle: () => void) => {
              child.off('message', onMessage);
              child.off('exit', onExit);
              settle();
            };
            child.on('message', onMessage);
            child.once('exit', onExit);
            child.send(command(i));
          }),
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            if (child.connected) child.send({ cmd: 'exit' } satisfies HolderCommand);
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
  }
}
