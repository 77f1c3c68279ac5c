import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
  /** performance.now() when it arrived. */
  at: number;
}

/**
 * A real local HTTP server standing in for an operator's webhook endpoint: it answers each
 * request with the next status of a script (then the last one forever) and records everything.
 */
export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];

  private constructor(
    private readonly server: Server,
    public statuses: number[],
  ) {}

  static async start(statuses: number[]): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const status = receiver.statuses.length > 1 ? receiver.statuses.shift()! : receiver.statuses[0];
        receiver.received.push({ headers: req.headers, body, status, at: performance.now() });
        res.writeHead(status).end();
      });
    });
    receiver = new WebhookReceiver(server, [...statuses]);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
