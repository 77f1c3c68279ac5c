import { SseStream } from '@citypulse/sse';

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
 * which announces an alert once it is stored. Arrival times are taken as each event is read.
 */
export class AlertStream {
  private constructor(private readonly stream: SseStream<SeenAlert>) {}

  static async open(apiUrl: string, token: string): Promise<AlertStream> {
    return new AlertStream(
      await SseStream.open(`${apiUrl}/alerts/stream`, token, ({ data }) => {
        const message = JSON.parse(data) as {
          event: { kind: string };
          alert: { id: string; ruleId: string; deviceId: string };
        };
        return {
          event: message.event.kind,
          alertId: message.alert.id,
          ruleId: message.alert.ruleId,
          deviceId: message.alert.deviceId,
          arrivedAt: Date.now(),
        };
      }),
    );
  }

  raised(ruleId: string): SeenAlert[] {
    return this.stream.received.filter((s) => s.event === 'raised' && s.ruleId === ruleId);
  }

  close(): void {
    this.stream.close();
  }
}
