/** A minimal server-sent-events reader over fetch, for tests: collects `{event, data}` messages. */
export class SseClient {
  readonly messages: Array<{ event: string; data: any }> = [];
  /** True once the server ended the stream (or close() was called). */
  ended = false;
  private readonly abort = new AbortController();

  private constructor() {}

  static async open(url: string, token: string): Promise<SseClient> {
    const client = new SseClient();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: client.abort.signal });
    if (response.status !== 200) throw new Error(`SSE ${url}: ${response.status} ${await response.text()}`);
    void client.read(response.body!);
    return client;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
          const data = block
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trimStart())
            .join('\n');
          if (data) this.messages.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
    }
  }

  close(): void {
    this.abort.abort();
  }
}
