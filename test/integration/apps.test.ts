/**
 * Proves the target apps in test/apps/ really behave as documented, using only
 * node:http / node:net and hand-rolled cookie handling (none of src/).
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import type { RunningApp } from '../helpers/server.js';
import { PASSWORD, USERNAME } from '../helpers/contract.js';
import * as redisApp from '../apps/redis-session.js';
import * as legacyApp from '../apps/passport-legacy.js';
import * as currentApp from '../apps/passport-current.js';
import * as cookieApp from '../apps/cookie-session.js';
import * as mswApp from '../apps/msw-scenarios.js';

// ---------------------------------------------------------------- raw client

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every Set-Cookie line exactly as received (node decodes header bytes as latin1). */
  setCookie: string[];
  body: string;
}

interface RequestOptions {
  cookie?: string;
  form?: Record<string, string>;
  json?: unknown;
}

function request(base: string, method: string, path: string, opts: RequestOptions = {}): Promise<RawResponse> {
  const url = new URL(path, base);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing non-loopback target ${url.href}`);
  let payload: string | undefined;
  const headers: Record<string, string> = {};
  if (opts.form) {
    payload = new URLSearchParams(opts.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (opts.json !== undefined) {
    payload = JSON.stringify(opts.json);
    headers['content-type'] = 'application/json';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  if (opts.cookie) headers.cookie = opts.cookie;

  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const setCookie: string[] = [];
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            if (res.rawHeaders[i]?.toLowerCase() === 'set-cookie') setCookie.push(res.rawHeaders[i + 1] ?? '');
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            setCookie,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Tiny cookie jar: name -> value, honours Max-Age=0 / past Expires as deletion. Ignores Domain/Path. */
class Jar {
  private readonly cookies = new Map<string, string>();

  apply(lines: string[]): this {
    for (const line of lines) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        if (k.toLowerCase() === 'max-age') return /^-?\d+$/.test(v) && Number(v) <= 0;
        if (k.toLowerCase() === 'expires') {
          const t = Date.parse(v);
          return !Number.isNaN(t) && t <= Date.now();
        }
        return false;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  clone(): Jar {
    const j = new Jar();
    for (const [k, v] of this.cookies) j.cookies.set(k, v);
    return j;
  }
}

/** A browser-ish session: remembers cookies between calls. */
class Client {
  readonly jar = new Jar();
  constructor(readonly base: string) {}

  async send(method: string, path: string, opts: Omit<RequestOptions, 'cookie'> = {}): Promise<RawResponse> {
    const res = await request(this.base, method, path, { ...opts, cookie: this.jar.header() });
    this.jar.apply(res.setCookie);
    return res;
  }

  /** GET /login and return the CSRF token (asserting meta and hidden input agree). */
  async csrf(): Promise<string> {
    const res = await this.send('GET', '/login');
    expect(res.status).toBe(200);
    const meta = /<meta name="csrf-token" content="([^"]+)">/.exec(res.body)?.[1];
    const hidden = /<input type="hidden" name="_csrf" value="([^"]+)">/.exec(res.body)?.[1];
    expect(meta).toBeTruthy();
    expect(hidden).toBe(meta);
    return meta ?? '';
  }

  async formLogin(password = PASSWORD): Promise<RawResponse> {
    const token = await this.csrf();
    return this.send('POST', '/login', { form: { _csrf: token, username: USERNAME, password } });
  }
}

function json(res: RawResponse): unknown {
  return JSON.parse(res.body);
}

async function me(base: string, cookie: string): Promise<number> {
  return (await request(base, 'GET', '/me', { cookie })).status;
}

/** express-session signed cookie value `s%3A<id>.<sig>` -> `<id>` */
function sessionId(cookieValue: string | undefined): string {
  const raw = decodeURIComponent(cookieValue ?? '');
  expect(raw.startsWith('s:')).toBe(true);
  return raw.slice(2, raw.lastIndexOf('.'));
}

function linesFor(res: RawResponse, name: string): string[] {
  return res.setCookie.filter((l) => l.startsWith(`${name}=`));
}

// ---------------------------------------------------------------- fixtures

let redis: RunningRedis;
let redisClient: ReturnType<typeof createClient>;
const running: RunningApp[] = [];

async function boot(app: Promise<RunningApp>): Promise<RunningApp> {
  const a = await app;
  running.push(a);
  return a;
}

beforeAll(async () => {
  redis = await startRedis();
  redisClient = createClient({ url: redis.url });
  await redisClient.connect();
});

afterAll(async () => {
  await Promise.all(running.map((a) => a.close()));
  await redisClient?.close();
  await redis?.stop();
});

// ---------------------------------------------------------------- shared contract

interface AppCase {
  name: string;
  start: () => Promise<RunningApp>;
  cookie: string;
  /** GET /login sets a session cookie before login. */
  preLoginCookie: boolean;
}

const cases: AppCase[] = [
  { name: 'redis-session', start: () => redisApp.start({ redisUrl: redis.url }), cookie: 'sid', preLoginCookie: true },
  { name: 'passport-legacy', start: () => legacyApp.start(), cookie: 'connect.sid', preLoginCookie: true },
  { name: 'passport-current', start: () => currentApp.start(), cookie: 'connect.sid', preLoginCookie: true },
  { name: 'cookie-session', start: () => cookieApp.start(), cookie: 'session', preLoginCookie: true },
  ...mswApp.SCENARIOS.map((s) => ({
    name: `msw:${s}`,
    start: () => mswApp.start(s),
    cookie: 'sid',
    preLoginCookie: false,
  })),
];

describe.each(cases)('contract: $name', ({ start, cookie, preLoginCookie }) => {
  it('implements the shared HTTP contract', async () => {
    const app = await boot(start());
    const c = new Client(app.url);

    const home = await c.send('GET', '/');
    expect(home.status).toBe(200);
    expect(home.headers['content-type']).toMatch(/text\/html/);

    const anon = await c.send('GET', '/me');
    expect(anon.status).toBe(401);
    expect(json(anon)).toEqual({ error: 'not logged in' });

    const page = await c.send('GET', '/login');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<form method="post" action="/login">');
    expect(page.body).toContain('<input type="text" name="username">');
    expect(page.body).toContain('<input type="password" name="password">');
    expect(c.jar.get(cookie) !== undefined).toBe(preLoginCookie);

    const badCsrf = await c.send('POST', '/login', {
      form: { _csrf: 'forged', username: USERNAME, password: PASSWORD },
    });
    expect(badCsrf.status).toBe(403);

    const badPw = await c.formLogin('wrong');
    expect(badPw.status).toBe(401);
    expect(badPw.body).toContain('Invalid credentials');

    const ok = await c.formLogin();
    expect(ok.status).toBe(302);
    expect(ok.headers.location).toBe('/me');
    const mine = await c.send('GET', '/me');
    expect(mine.status).toBe(200);
    expect(json(mine)).toEqual({ user: 'alice' });

    const out = await c.send('POST', '/logout');
    expect(out.status).toBe(302);
    expect(out.headers.location).toBe('/login');
    expect((await c.send('GET', '/me')).status).toBe(401);

    const apiBad = await c.send('POST', '/api/login', { json: { username: USERNAME, password: 'nope' } });
    expect(apiBad.status).toBe(401);
    expect(json(apiBad)).toEqual({ error: 'invalid credentials' });
    const apiOk = await c.send('POST', '/api/login', { json: { username: USERNAME, password: PASSWORD } });
    expect(apiOk.status).toBe(200);
    expect(json(apiOk)).toEqual({ ok: true });
    expect(json(await c.send('GET', '/me'))).toEqual({ user: 'alice' });
  });
});

// ---------------------------------------------------------------- per-app behaviour

describe('redis-session (express-session + connect-redis)', () => {
  it('regenerates at login, stores the session in Redis, destroys it at logout', async () => {
    const app = await boot(redisApp.start({ redisUrl: redis.url }));
    const c = new Client(app.url);

    await c.csrf();
    const preId = sessionId(c.jar.get('sid'));
    expect(await redisClient.keys('sess:*')).toContain(`sess:${preId}`);
    const preCookie = c.jar.header();

    const login = await c.formLogin();
    expect(login.status).toBe(302);
    const [line] = linesFor(login, 'sid');
    // express-session serialises cookie.maxAge as Expires only (no Max-Age attribute).
    expect(line).toMatch(/^sid=s%3A[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    const expires = Date.parse(/Expires=([^;]+)/.exec(line ?? '')?.[1] ?? '');
    expect(Math.abs(expires - Date.now() - 86_400_000)).toBeLessThan(5_000);
    const postId = sessionId(c.jar.get('sid'));
    expect(postId).not.toBe(preId);

    const keys = await redisClient.keys('sess:*');
    expect(keys).toContain(`sess:${postId}`);
    expect(keys).not.toContain(`sess:${preId}`);
    const stored = JSON.parse((await redisClient.get(`sess:${postId}`)) ?? '{}') as Record<string, unknown>;
    expect(stored.user).toBe('alice');
    expect(stored.csrf).toBeUndefined();
    expect(await redisClient.ttl(`sess:${postId}`)).toBeGreaterThan(86_000);

    expect(await me(app.url, preCookie)).toBe(401); // fixation impossible
    const loggedIn = c.jar.header();
    expect(await me(app.url, loggedIn)).toBe(200);

    const out = await c.send('POST', '/logout');
    expect(linesFor(out, 'sid')).toEqual(['sid=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(await redisClient.keys('sess:*')).not.toContain(`sess:${postId}`);
    expect(await me(app.url, loggedIn)).toBe(401); // server-side revocation
  });
});

describe('passport-legacy (passport 0.5.3)', () => {
  it('keeps the pre-login session id across login (CVE-2022-25896 fixation)', async () => {
    const app = await boot(legacyApp.start());
    const victim = new Client(app.url);
    const csrfBefore = await victim.csrf();
    const planted = victim.jar.header(); // what an attacker would have fixed
    const idBefore = sessionId(victim.jar.get('connect.sid'));

    const login = await victim.formLogin();
    expect(login.status).toBe(302);
    expect(linesFor(login, 'connect.sid')).toEqual([]); // no new cookie at all
    expect(sessionId(victim.jar.get('connect.sid'))).toBe(idBefore);
    expect(await me(app.url, planted)).toBe(200); // attacker's copy is now logged in

    // Same session: the pre-login CSRF token is still in it.
    expect(await victim.csrf()).toBe(csrfBefore);

    // JSON login behaves the same.
    const api = new Client(app.url);
    await api.csrf();
    const apiId = sessionId(api.jar.get('connect.sid'));
    expect((await api.send('POST', '/api/login', { json: { username: USERNAME, password: PASSWORD } })).status).toBe(200);
    expect(sessionId(api.jar.get('connect.sid'))).toBe(apiId);

    // Logout removes only passport.user; the id stays, old cookie -> 401.
    const out = await victim.send('POST', '/logout');
    expect(out.status).toBe(302);
    expect(linesFor(out, 'connect.sid')).toEqual([]);
    expect(await me(app.url, planted)).toBe(401);
    expect(await victim.csrf()).toBe(csrfBefore); // session (and its data) survived logout
    expect(sessionId(victim.jar.get('connect.sid'))).toBe(idBefore);
  });

  it('default express-session cookie flags', async () => {
    const app = await boot(legacyApp.start());
    const res = await request(app.url, 'GET', '/login');
    const [line] = linesFor(res, 'connect.sid');
    expect(line).toMatch(/^connect\.sid=s%3A[^;]+; Path=\/; HttpOnly$/);
  });
});

describe('passport-current (passport 0.7)', () => {
  it('regenerates the session id at login and again at logout', async () => {
    const app = await boot(currentApp.start());
    const c = new Client(app.url);
    const csrfBefore = await c.csrf();
    const planted = c.jar.header();
    const idBefore = sessionId(c.jar.get('connect.sid'));

    const login = await c.formLogin();
    expect(login.status).toBe(302);
    expect(linesFor(login, 'connect.sid')).toHaveLength(1);
    const idAfter = sessionId(c.jar.get('connect.sid'));
    expect(idAfter).not.toBe(idBefore);
    expect(await me(app.url, planted)).toBe(401);
    const loggedIn = c.jar.header();
    expect(await me(app.url, loggedIn)).toBe(200);

    // regenerate() dropped all pre-login data: a new CSRF token is minted.
    expect(await c.csrf()).not.toBe(csrfBefore);

    const api = new Client(app.url);
    await api.csrf();
    const apiId = sessionId(api.jar.get('connect.sid'));
    expect((await api.send('POST', '/api/login', { json: { username: USERNAME, password: PASSWORD } })).status).toBe(200);
    expect(sessionId(api.jar.get('connect.sid'))).not.toBe(apiId);

    const out = await c.send('POST', '/logout');
    expect(out.status).toBe(302);
    expect(linesFor(out, 'connect.sid')).toHaveLength(1); // fresh id after logout
    const idLoggedOut = sessionId(c.jar.get('connect.sid'));
    expect(idLoggedOut).not.toBe(idAfter);
    expect(await me(app.url, loggedIn)).toBe(401);
    expect(await me(app.url, c.jar.header())).toBe(401);
  });
});

describe('cookie-session', () => {
  it('logout only expires the cookies; an old copy still authenticates', async () => {
    const app = await boot(cookieApp.start());
    const c = new Client(app.url);
    await c.csrf();
    const preValue = c.jar.get('session');
    expect(preValue).toBeTruthy();
    expect(c.jar.get('session.sig')).toBeTruthy();

    const login = await c.formLogin();
    expect(login.status).toBe(302);
    expect(linesFor(login, 'session')[0]).toMatch(/^session=[^;]+; path=\/; httponly$/);
    expect(c.jar.get('session')).not.toBe(preValue);
    const copy = c.jar.clone();
    expect(await me(app.url, copy.header())).toBe(200);

    const out = await c.send('POST', '/logout');
    expect(out.setCookie).toHaveLength(2);
    expect(out.setCookie[0]).toBe('session=; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly');
    // The deletion line for the signature cookie carries the signature of '' (not empty).
    expect(out.setCookie[1]).toMatch(/^session\.sig=[\w-]+; path=\/; expires=Thu, 01 Jan 1970 00:00:00 GMT; httponly$/);
    expect(c.jar.get('session')).toBeUndefined();
    expect((await c.send('GET', '/me')).status).toBe(401);
    expect(await me(app.url, copy.header())).toBe(200); // no server-side state to revoke
  });
});

describe('msw-scenarios', () => {
  it.each(mswApp.SCENARIOS)('%s: exact Set-Cookie lines, server-side logout', async (scenario) => {
    const app = await boot(mswApp.start(scenario));

    const login = await request(app.url, 'POST', '/api/login', { json: { username: USERNAME, password: PASSWORD } });
    expect(login.status).toBe(200);
    const token = login.setCookie
      .map((l) => /^sid=([^;]+); Path=\/; HttpOnly; SameSite=(?:Lax|None)/.exec(l)?.[1])
      .find((t) => t !== undefined);
    expect(token).toBeTruthy();
    const tok = token ?? '';
    expect(login.setCookie).toEqual(mswApp.loginSetCookieLines(scenario, tok));

    // Form login sends the same shape of lines (with a new token).
    const c = new Client(app.url);
    const form = await c.formLogin();
    expect(form.status).toBe(302);
    expect(form.setCookie).toHaveLength(mswApp.loginSetCookieLines(scenario, 'x').length);

    expect(await me(app.url, `sid=${tok}`)).toBe(200);
    expect(await me(app.url, '')).toBe(401); // msw's global cookie jar is not involved

    const out = await request(app.url, 'POST', '/logout', { cookie: `sid=${tok}` });
    expect(out.status).toBe(302);
    expect(out.headers.location).toBe('/login');
    expect(out.setCookie).toEqual([mswApp.LOGOUT_SET_COOKIE]);
    expect(await me(app.url, `sid=${tok}`)).toBe(401);
    expect(await me(app.url, c.jar.header())).toBe(200); // other session unaffected
  });

  it('scenarios do not share sessions', async () => {
    const a = await boot(mswApp.start('one-year'));
    const b = await boot(mswApp.start('one-year'));
    const login = await request(a.url, 'POST', '/api/login', { json: { username: USERNAME, password: PASSWORD } });
    const cookie = login.setCookie[0]?.split(';')[0] ?? '';
    expect(await me(a.url, cookie)).toBe(200);
    expect(await me(b.url, cookie)).toBe(401);
  });

  it('malformed: the raw wire carries the empty line and a single 0xE9 byte', async () => {
    const app = await boot(mswApp.start('malformed'));
    const { port } = new URL(app.url);
    const body = JSON.stringify({ username: USERNAME, password: PASSWORD });
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const sock = net.connect({ host: '127.0.0.1', port: Number(port) }, () => {
        sock.write(
          `POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      sock.on('data', (d: Buffer) => chunks.push(d));
      sock.on('end', () => resolve(Buffer.concat(chunks)));
      sock.on('error', reject);
    });
    const head = raw.subarray(0, raw.indexOf('\r\n\r\n') + 2);
    const lines = head
      .toString('latin1')
      .split('\r\n')
      .filter((l) => /^set-cookie:/i.test(l));
    expect(lines).toHaveLength(6);
    expect(lines).toContain('set-cookie: ');
    expect(head.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x3b]))).toBe(true); // "caf\xE9;"
    expect(head.includes(Buffer.from('caf\u00e9', 'utf8'))).toBe(false); // not UTF-8 encoded
  });
});
