import { Readable } from 'node:stream';
import { SseReader } from './sse-reader.js';
import { sseEvents } from './sse-stream.js';

const STREAM = ': keep-alive\n\nevent: raised\r\ndata: {"a":\r\ndata: 1}\r\n\r\ndata: x\n\n';
const EVENTS = [
  { event: 'raised', data: '{"a":\n1}' },
  { event: 'message', data: 'x' },
];

describe('server-sent events', () => {
  it('are read split anywhere across chunks, comments skipped', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const reader = new SseReader();
      expect([...reader.push(STREAM.slice(0, cut)), ...reader.push(STREAM.slice(cut))]).toEqual(EVENTS);
    }
  });

  it('are read from a byte stream, a character split across chunks included', async () => {
    const bytes = Buffer.from(`data: «é»\n\n${STREAM}`);
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    const events = [];
    for await (const event of sseEvents(Readable.from(chunks))) events.push(event);
    expect(events).toEqual([{ event: 'message', data: '«é»' }, ...EVENTS]);
  });
});
