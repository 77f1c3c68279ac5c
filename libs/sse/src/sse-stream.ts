import { SseReader, type SseEvent } from './sse-reader.js';

/** The events of a server-sent-event body as they arrive, until the body ends (or fails, e.g. aborted). */
export async function* sseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = new SseReader();
  const decoder = new TextDecoder();
  for await (const chunk of body) yield* reader.push(decoder.decode(chunk, { stream: true }));
}

/**
 * A server-sent-event stream (GET with a bearer token) read in the background: every event that
 * `parse` turns into a value is kept in `received`, in arrival order, until close() or the server
 * ends the stream.
 */
export class SseStream<T> {
  readonly received: T[] = [];
  /** True once the server ended the stream (or close() was called). */
  ended = false;
  private readonly abort = new AbortController();

  private constructor(private readonly parse: (event: SseEvent) => T | undefined) {}

  /** Resolves once the server answered 200; anything else is an error with the status and body. */
  static async open<T>(url: string, token: string, parse: (event: SseEvent) => T | undefined): Promise<SseStream<T>> {
    const stream = new SseStream(parse);
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: stream.abort.signal,
    });
    if (response.status !== 200 || !response.body)
      throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
    void stream.read(response.body);
    return stream;
  }

  close(): void {
    this.abort.abort();
  }

  private async read(body: AsyncIterable<Uint8Array>): Promise<void> {
    try {
      for await (const event of sseEvents(body)) {
        const value = this.parse(event);
        if (value !== undefined) this.received.push(value);
      }
    } catch {
      // aborted by close()
    } finally {
      this.ended = true;
    }
  }
}
