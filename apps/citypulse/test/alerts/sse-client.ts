import { SseStream } from '@citypulse/sse';

/** One message of a live stream as the tests read it: its event type and its data parsed as JSON. */
export interface SseMessage {
  event: string;
  data: any;
}

/** A server-sent-event stream for tests (@citypulse/sse): every event with data kept in `messages`, parsed. */
export class SseClient {
  private constructor(private readonly stream: SseStream<SseMessage>) {}

  static async open(url: string, token: string): Promise<SseClient> {
    return new SseClient(
      await SseStream.open(url, token, ({ event, data }) => (data ? { event, data: JSON.parse(data) } : undefined)),
    );
  }

  get messages(): SseMessage[] {
    return this.stream.received;
  }

  /** True once the server ended the stream (or close() was called). */
  get ended(): boolean {
    return this.stream.ended;
  }

  close(): void {
    this.stream.close();
  }
}
