import { reportUnauthorized } from './api.js';
import { currentToken } from './session.js';
import { SseParser } from './sse-parser.js';

/**
 * Reads a server-sent-event route with fetch (bearer header) and calls onEvent with each parsed
 * event. Reconnects with backoff when the stream ends or fails; onOpen runs on every (re)connect,
 * so the caller can reload what it may have missed (the live stream is at-most-once).
 * onStatus gets 'live' | 'reconnecting'. Returns a function that stops it.
 */
export function openEventStream(path, { onEvent, onOpen = () => {}, onStatus = () => {} }) {
  const controller = new AbortController();
  let delayMs = 500;

  async function run() {
    while (!controller.signal.aborted) {
      try {
        const response = await fetch(path, {
          headers: { authorization: `Bearer ${currentToken()}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (response.status === 401) {
          // A revoked or expired token: back to the login, no retrying.
          reportUnauthorized();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`stream ${path}: HTTP ${response.status}`);
        onStatus('live');
        delayMs = 500;
        onOpen();
        const parser = new SseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const event of parser.push(value)) onEvent(event);
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        console.warn(String(error));
      }
      onStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, 15_000);
    }
  }
  run();
  return () => controller.abort();
}
