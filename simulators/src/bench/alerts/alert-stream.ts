/** One alert message as received on the live stream, with when it arrived here. */
export interface SeenAlert {
  event: string;
  alertId: string;
  ruleId: string;
  deviceId: string;
  arrivedAt: number;
}

/**
 * The bench's view of "alert visible": the API's server-sent-event stream (GET /alerts/stream),
 * which announces an alert once it is stored. Arrival times are taken as each chunk is read.
 */
export class AlertStream {
  readonly seen: SeenAlert[] = [];
  private readonly abort = new AbortController();

  private constructor() {}

  static async open(apiUrl: string, token: string): Promise<AlertStream> {
    const stream = new AlertStream();
    const response = await fetch(`${apiUrl}/alerts/stream`, { headers: { authorization: `Bearer ${token}` }, signal: stream.abort.signal });
    if (response.status !== 200) throw new Error(`GET /alerts/stream: ${response.status}`);
    void stream.read(response.body!);
    return stream;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        const arrivedAt = Date.now();
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data:'));
          if (!data) continue;
          const message = JSON.parse(data.slice(5)) as { event: { kind: string }; alert: { id: string; ruleId: string; deviceId: string } };
          this.seen.push({ event: message.event.kind, alertId: message.alert.id, ruleId: message.alert.ruleId, deviceId: message.alert.deviceId, arrivedAt });
        }
      }
    } catch {
      // closed
    }
  }

  raised(ruleId: string): SeenAlert[] {
    return this.seen.filter((s) => s.event === 'raised' && s.ruleId === ruleId);
  }

  close(): void {
    this.abort.abort();
  }
}
