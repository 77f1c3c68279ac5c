import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The login the client authenticated with. */
  user: string;
  /** The message as received (headers and MIME body). */
  raw: string;
  /** The raw message with quoted-printable soft line breaks and escapes undone, to search its text. */
  decoded: string;
}

/** Undoes quoted-printable (soft line breaks, =XX), enough to find text in a received message. */
function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The SMTP server of smtp-server-process.mjs in a child process, and the messages it received. */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static start(user: string, password: string): Promise<SmtpSink> {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('./smtp-server-process.mjs', import.meta.url)), user, password],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    return new Promise((resolve, reject) => {
      let sink: SmtpSink | undefined;
      child.once('error', reject);
      child.once('exit', (code) => sink || reject(new Error(`smtp-sink exited with ${code} before listening`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const message = JSON.parse(line);
        if (!sink) {
          sink = new SmtpSink(child, message.port);
          resolve(sink);
        } else {
          sink.received.push({ ...message, decoded: decodeQuotedPrintable(message.raw) });
        }
      });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
