/**
 * Incremental parser for server-sent events (the WHATWG "event stream" format), for streams read
 * with fetch(): EventSource cannot send an Authorization header, and the token must never go in a
 * URL. Feed it decoded text chunks as they arrive; it returns the events completed so far.
 */
export class SseParser {
  #buffer = '';
  #data = [];
  #event = '';
  #id = '';

  /** @returns {{ event: string, data: string, id: string }[]} */
  push(chunk) {
    this.#buffer += chunk;
    const events = [];
    // Lines end in CRLF, LF or CR; a trailing lone CR may still be the first half of a CRLF.
    const lines = this.#buffer.split(/\r\n|\n|\r(?!$)/);
    this.#buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (this.#data.length > 0)
          events.push({ event: this.#event || 'message', data: this.#data.join('\n'), id: this.#id });
        this.#data = [];
        this.#event = '';
        continue;
      }
      if (line.startsWith(':')) continue; // a comment (keep-alive)
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.#data.push(value);
      else if (field === 'event') this.#event = value;
      else if (field === 'id' && !value.includes('\0')) this.#id = value;
    }
    return events;
  }
}
