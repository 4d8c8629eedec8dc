/**
 * A small, deliberately misbehaving login target for the hostile-input regression tests.
 *
 * By default it is a well-behaved cookie-session app (node:http on 127.0.0.1, ephemeral port):
 *
 *   GET  /        200 small HTML
 *   GET  /login   200 HTML form (username, password) posting to /login
 *   POST /login   JSON or urlencoded {username, password}; 200 + `sid=<hex>; Path=/; HttpOnly;
 *                 SameSite=Lax`, or 401 "bad credentials"
 *   GET  /me      200 {"user":"alice"} with a logged-in sid, else 401
 *   POST /logout  deletes the session, 200 + `sid=; Path=/; Max-Age=0`
 *
 * A test bends one route with `override`, which sees a parsed request and returns true when it
 * answered (or deliberately never will). Every request is recorded, on arrival, in `requests`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const USER = 'alice';

export interface SeenRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Filled in once the body has been read. */
  body: string;
}

export interface HostileCtx {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  path: string;
  body: string;
  cookies: Record<string, string>;
  /** username / password from a JSON or an urlencoded body. */
  creds: { username?: string; password?: string };
  /** The credentials are alice / the app's password. */
  ok: boolean;
  /** The logged-in user of this request's `sid` cookie. */
  user: string | undefined;
  /** A fresh random session id, already stored as logged in (unless `user` is undefined). */
  newSession(user?: string): string;
  sessions: Map<string, { user?: string }>;
}

/** Return true when the override answered the request (or means never to answer it). */
export type Override = (c: HostileCtx) => boolean | void | Promise<boolean | void>;

export interface HostileApp {
  url: string;
  port: number;
  requests: SeenRequest[];
  sessions: Map<string, { user?: string }>;
  close(): Promise<void>;
}

export const LOGIN_FORM = '<!doctype html><html><body><form method="post" action="/login"><input name="username"><input type="password" name="password"><button>Log in</button></form></body></html>';

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function parseCreds(body: string, contentType: string | undefined): { username?: string; password?: string } {
  if ((contentType ?? '').includes('json')) {
    try {
      const j = JSON.parse(body) as Record<string, unknown>;
      return {
        ...(typeof j.username === 'string' ? { username: j.username } : {}),
        ...(typeof j.password === 'string' ? { password: j.password } : {}),
      };
    } catch {
      return {};
    }
  }
  const q = new URLSearchParams(body);
  return { ...(q.has('username') ? { username: q.get('username') as string } : {}), ...(q.has('password') ? { password: q.get('password') as string } : {}) };
}

export async function startHostileApp(opts: { password?: string; override?: Override } = {}): Promise<HostileApp> {
  const requests: SeenRequest[] = [];
  const sessions = new Map<string, { user?: string }>();
  const newSession = (user: string | undefined = USER): string => {
    const sid = randomBytes(16).toString('hex');
    sessions.set(sid, user === undefined ? {} : { user });
    return sid;
  };

  const server = http.createServer((req, res) => {
    const seen: SeenRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: '' };
    requests.push(seen);
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      seen.body = Buffer.concat(chunks).toString('utf8');
      void handle(req, res, seen.body).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(err));
      });
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: string): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const cookies = parseCookies(req.headers.cookie);
    const creds = parseCreds(body, req.headers['content-type']);
    const ctx: HostileCtx = {
      req,
      res,
      method,
      path,
      body,
      cookies,
      creds,
      ok: creds.username === USER && opts.password !== undefined && creds.password === opts.password,
      user: cookies.sid === undefined ? undefined : sessions.get(cookies.sid)?.user,
      newSession,
      sessions,
    };
    if (opts.override && (await opts.override(ctx)) === true) return;

    if (path === '/login' && method === 'POST') {
      if (!ctx.ok) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('bad credentials');
        return;
      }
      res.writeHead(200, { 'set-cookie': `sid=${newSession()}; Path=/; HttpOnly; SameSite=Lax`, 'content-type': 'application/json' });
      res.end('{"ok":true}');
      return;
    }
    if (path === '/login') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(LOGIN_FORM);
      return;
    }
    if (path === '/me') {
      if (ctx.user) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ user: ctx.user }));
      } else {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('not logged in');
      }
      return;
    }
    if (path === '/logout') {
      if (cookies.sid !== undefined) sessions.delete(cookies.sid);
      res.writeHead(200, { 'set-cookie': 'sid=; Path=/; Max-Age=0' });
      res.end('bye');
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><body><a href="/login">Log in</a></body></html>');
      return;
    }
    res.writeHead(404);
    res.end('not found');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    sessions,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Also ends responses a hostile route never finished (a hanging /me, for example).
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
