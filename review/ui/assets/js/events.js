// Live queue events from GET /v1/queue/events (server-sent events). The
// stream is read with fetch rather than EventSource so that it carries the
// same credentials as every other call, a bearer token included.

import {authHeaders, bus} from './api.js';

/**
 * connect opens the event stream and keeps it open, reconnecting with
 * backoff. onEvent(type, data) gets each event; onState("live" | "offline")
 * the connection state. It returns a function that closes the stream.
 */
export function connect(onEvent, onState) {
  let stopped = false;
  let ctrl = null;
  let retry = null;

  async function once() {
    ctrl = new AbortController();
    const r = await fetch('/v1/queue/events', {
      headers: {Accept: 'text/event-stream', ...authHeaders(false)},
      credentials: 'same-origin', cache: 'no-store', signal: ctrl.signal,
    });
    if (r.status === 401) {
      bus.dispatchEvent(new CustomEvent('unauthenticated'));
      stopped = true;
      return;
    }
    if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
    onState('live');
    const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buf += value.replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let type = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') type = val;
          else if (field === 'data') data.push(val);
        }
        if (data.length) {
          let parsed = null;
          try { parsed = JSON.parse(data.join('\n')); } catch { parsed = null; }
          if (parsed) onEvent(type, parsed);
        }
      }
    }
  }

  async function loop() {
    let delay = 1000;
    while (!stopped) {
      try {
        await once();
        delay = 1000;
      } catch (e) {
        if (stopped) return;
      }
      if (stopped) return;
      onState('offline');
      await new Promise((res) => { retry = setTimeout(res, delay); });
      delay = Math.min(delay * 2, 30000);
    }
  }

  loop();
  return () => {
    stopped = true;
    clearTimeout(retry);
    if (ctrl) ctrl.abort();
  };
}
