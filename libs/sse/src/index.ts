export { SseReader, type SseEvent } from './sse-reader.js';
export { SseStream, sseEvents } from './sse-stream.js';
