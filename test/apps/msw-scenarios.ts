/**
 * msw 2 handlers served over a REAL loopback HTTP server via
 * @mswjs/http-middleware (`createServer(...handlers)` is an express 4 app).
 * The audit tool talks through undici's own request(), which msw's in-process
 * interceptors never see — hence a real socket.
 *
 * Each scenario implements the shared contract (see test/helpers/contract.ts)
 * with a hand-rolled session: `sid=<random token>`, tokens kept in an
 * in-memory Set. Scenarios differ ONLY in the Set-Cookie lines sent at login
 * (POST /login and POST /api/login); see `loginSetCookieLines()`.
 *
 *   GET  /login      HTML with a random CSRF token; no cookie is set (there is
 *                    no pre-login session): POST /login accepts any token this
 *                    server issued, once.
 *   POST /login      form; 403 / 401 HTML "Invalid credentials" / 302 -> /me
 *   POST /api/login  JSON; 200 {"ok":true} / 401 {"error":"invalid credentials"}
 *   GET  /me         reads cookie `sid`; 200 {"user":"alice"} / 401 {"error":"not logged in"}
 *   POST /logout     deletes the token server-side, `Set-Cookie: sid=; Max-Age=0; Path=/`,
 *                    302 -> /login. Old `sid` replayed afterwards -> 401.
 *
 * IMPORTANT msw pitfall: a response built with `HttpResponse.json(...)` /
 * `new HttpResponse(...)` that carries Set-Cookie is recorded by msw in a
 * process-wide tough-cookie jar (msw/lib/core/utils/cookieStore), and every
 * later request to the same host — ANY port, since cookie jars ignore ports —
 * gets those cookies appended to its `cookie` header before the resolver runs.
 * A cookie-less request would then look logged in, and one scenario's cookie
 * would leak into another. msw also feeds the comma-joined Set-Cookie lines to
 * tough-cookie, which rejects e.g. `Domain=.example.test` on 127.0.0.1 and
 * turns the response into a 500. So responses carrying Set-Cookie are plain
 * Fetch `Response` objects (msw accepts them; they are not recorded), built
 * with `new Headers()` + `headers.append('Set-Cookie', ...)`. The middleware
 * copies every line with `res.appendHeader`, so all lines reach the wire.
 */
import { http, HttpResponse } from 'msw';
import { createServer } from '@mswjs/http-middleware';
import { listen, type RunningApp } from '../helpers/server.js';
import {
  INVALID_CREDENTIALS_HTML,
  INVALID_CSRF_HTML,
  USERNAME,
  checkCredentials,
  homePage,
  loginPage,
  randomToken,
} from '../helpers/contract.js';

export const SCENARIOS = ['samesite-none-insecure', 'parent-domain', 'one-year', 'malformed'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const COOKIE_NAME = 'sid';
export const LOGOUT_SET_COOKIE = 'sid=; Max-Age=0; Path=/';

/** Raw byte 0xE9 ("é" in latin1) — node writes header values as latin1, so this is one non-ASCII, non-UTF-8 byte on the wire. */
const NON_ASCII_LINE = 'bad=caf\u00e9; Path=/';

/**
 * The exact Set-Cookie lines (in order) each scenario sends at login.
 *
 * - samesite-none-insecure: SameSite=None without Secure. Browsers reject it
 *   outright (Chrome) or treat it as Lax; a lenient jar stores it.
 * - parent-domain: first the flawed session cookie scoped to `.example.test`
 *   (+ Secure, over plain http), then a host-only `sid` with the same token.
 *   A browser / RFC 6265 jar on 127.0.0.1 REJECTS the first line (Domain does
 *   not domain-match the host; Secure over http is also refused by modern
 *   agents) and STORES ONLY the second, host-only `sid` — so the login still
 *   works for a client, while the raw response shows the Domain problem.
 * - one-year: persistent session cookie, Max-Age one year.
 * - malformed: broken lines around the one valid `sid` line: a nameless
 *   cookie, a line without `=`, garbage attribute values, a non-ASCII byte and
 *   an empty header value. A client should end up with `sid` (and, depending
 *   on its leniency, `sid2=x` and/or `bad=...`).
 */
export function loginSetCookieLines(scenario: ScenarioName, token: string): string[] {
  switch (scenario) {
    case 'samesite-none-insecure':
      return [`sid=${token}; Path=/; HttpOnly; SameSite=None`];
    case 'parent-domain':
      return [
        `sid=${token}; Path=/; HttpOnly; Secure; SameSite=Lax; Domain=.example.test`,
        `sid=${token}; Path=/; HttpOnly; SameSite=Lax`,
      ];
    case 'one-year':
      return [`sid=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`];
    case 'malformed':
      return [
        '=novalue',
        'garbage',
        'sid2=x; Expires=not-a-date; Max-Age=abc; SameSite=Bogus',
        `sid=${token}; Path=/; HttpOnly; SameSite=Lax`,
        NON_ASCII_LINE,
        '',
      ];
  }
}

/** Minimal `cookie` header parser (first occurrence of a name wins). */
function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Plain Response (NOT HttpResponse) so msw does not record the cookies — see file header. */
function withCookies(body: string | null, status: number, contentType: string | null, cookies: string[], extra: Record<string, string> = {}): Response {
  const headers = new Headers(extra);
  if (contentType) headers.set('Content-Type', contentType);
  for (const line of cookies) headers.append('Set-Cookie', line);
  return new Response(body, { status, headers });
}

const html = (body: string, status = 200): Response =>
  HttpResponse.html(body, { status, headers: { 'Content-Type': 'text/html; charset=utf-8' } });

export async function start(scenario: ScenarioName): Promise<RunningApp> {
  if (!SCENARIOS.includes(scenario)) throw new Error(`unknown msw scenario: ${String(scenario)}`);

  const sessions = new Set<string>();
  const csrfTokens = new Set<string>();

  const issueSession = (): string[] => {
    const token = randomToken(32);
    sessions.add(token);
    return loginSetCookieLines(scenario, token);
  };

  const handlers = [
    http.get('/', () => html(homePage(`msw scenario: ${scenario}`))),

    http.get('/login', () => {
      const csrf = randomToken(32);
      csrfTokens.add(csrf);
      return html(loginPage(csrf));
    }),

    http.post('/login', async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      const csrf = form.get('_csrf');
      if (csrf === null || !csrfTokens.delete(csrf)) return html(INVALID_CSRF_HTML, 403);
      if (!checkCredentials(form.get('username'), form.get('password'))) {
        return html(INVALID_CREDENTIALS_HTML, 401);
      }
      return withCookies(null, 302, null, issueSession(), { Location: '/me' });
    }),

    http.post('/api/login', async ({ request }) => {
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        body = undefined;
      }
      const rec = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      if (!checkCredentials(rec.username, rec.password)) {
        return HttpResponse.json({ error: 'invalid credentials' }, { status: 401 });
      }
      return withCookies(JSON.stringify({ ok: true }), 200, 'application/json', issueSession());
    }),

    http.get('/me', ({ request }) => {
      const sid = readCookie(request.headers.get('cookie'), COOKIE_NAME);
      if (sid !== undefined && sessions.has(sid)) return HttpResponse.json({ user: USERNAME });
      return HttpResponse.json({ error: 'not logged in' }, { status: 401 });
    }),

    http.post('/logout', ({ request }) => {
      const sid = readCookie(request.headers.get('cookie'), COOKIE_NAME);
      if (sid !== undefined) sessions.delete(sid);
      return withCookies(null, 302, null, [LOGOUT_SET_COOKIE], { Location: '/login' });
    }),
  ];

  // http-middleware is CommonJS: its types (and runtime) bind to msw's CJS build,
  // while this ESM file gets msw's ESM build. The handler objects are
  // duck-typed at runtime, only the nominal class types differ.
  type MiddlewareHandlers = Parameters<typeof createServer>;
  return listen(createServer(...(handlers as unknown as MiddlewareHandlers)));
}
