import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the API that breaks one download: the first connection asking for
 * `/download` is cut (both sockets destroyed) after `cutAfterBytes` of the answer went through,
 * as a lost mobile link would. Every request line and Range header seen is kept for assertions.
 */
export class CuttingProxy {
  readonly requests: Array<{ path: string; range?: string }> = [];
  private cut = false;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, cutAfterBytes: number): Promise<CuttingProxy> {
    let proxy!: CuttingProxy;
    const server = createServer((client) => proxy.pipe(client, targetPort, cutAfterBytes));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new CuttingProxy(server, (server.address() as { port: number }).port);
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private pipe(client: Socket, targetPort: number, cutAfterBytes: number): void {
    const upstream = connect(targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    let cutThis = false;
    let forwarded = 0;
    client.on('data', (chunk: Buffer) => {
      const head = chunk.toString('latin1');
      const line = /^GET (\S+) HTTP/.exec(head);
      if (line) {
        this.requests.push({
          path: line[1],
          ...(/\r\nrange: *(\S+)/i.exec(head) && { range: /\r\nrange: *(\S+)/i.exec(head)![1] }),
        });
        if (!this.cut && line[1].endsWith('/download')) cutThis = this.cut = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      forwarded += chunk.length;
      if (cutThis && forwarded > cutAfterBytes) {
        client.write(chunk.subarray(0, chunk.length - (forwarded - cutAfterBytes)));
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
