/**
 * Wraps a request handler so the test can see, from the app side, every cookie value the app
 * issued (the raw session tokens). Used to prove that none of them leaks into a report.
 */
import type http from 'node:http';
import type { Handler } from './server.js';

export interface SetCookieRecorder {
  handler: Handler;
  /** Every non-empty cookie value sent in a Set-Cookie line so far, raw as on the wire. */
  values(): string[];
}

export function recordSetCookieValues(inner: Handler): SetCookieRecorder {
  const seen = new Set<string>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): unknown => {
    res.on('finish', () => {
      const header = res.getHeader('set-cookie');
      const lines = header === undefined ? [] : Array.isArray(header) ? header : [String(header)];
      for (const line of lines) {
        const pair = line.split(';')[0] ?? '';
        const eq = pair.indexOf('=');
        const value = eq === -1 ? '' : pair.slice(eq + 1).trim();
        if (value !== '') seen.add(value);
      }
    });
    return inner(req, res);
  };
  return { handler, values: () => [...seen] };
}
