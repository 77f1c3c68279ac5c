/** One server-sent event: its type (`event:`, default 'message') and its data lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Splits a server-sent-event stream into events as chunks arrive (an event may span chunks;
 * comments, used as keep-alives, are skipped). Handles LF and CRLF line ends.
 */
export class SseReader {
  private buffer = '';
  /** A CR ending a chunk: whether it is a line end of its own or half of CRLF shows with the next chunk. */
  private carriageReturn = false;

  push(chunk: string): SseEvent[] {
    let text = (this.carriageReturn ? '\r' : '') + chunk;
    this.carriageReturn = text.endsWith('\r');
    if (this.carriageReturn) text = text.slice(0, -1);
    this.buffer += text.replace(/\r\n?/g, '\n');
    const events: SseEvent[] = [];
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length > 0) events.push({ event, data: data.join('\n') });
    }
    return events;
  }
}
