/**
 * Session lifetimes as real frameworks produce them, with lifetimes of seconds so the waiting
 * probes can be tested both ways. JSON login at POST /api/login {username, password}
 * (alice / the given password), GET /me (200 logged in, 401 not).
 *
 *   es-rolling       express-session MemoryStore, cookie maxAge 2s, rolling: true — expiry and
 *                    idle timeout enforced, but a busy session never ends (no absolute timeout)
 *   es-fixed         express-session MemoryStore, cookie maxAge 2s, not rolling: the cookie keeps
 *                    its first Expires, while express-session's touch() slides the store's expiry
 *                    on every request — ends when idle, outlives its promise when kept busy
 *   es-absolute      es-rolling plus an absolute lifetime of 3s (createdAt checked per request)
 *   es-nomaxage      express-session MemoryStore, no maxAge: a browser-session cookie that never
 *                    ends on the server
 *   es-rotate        es-nomaxage, but every logged-in request regenerates the session: a new ID
 *                    each time and the old one destroyed — no idle or absolute timeout either
 *   cookie-session   cookie-session with maxAge 2s: the expiry is only in the cookie attributes
 *   jwt-noexp        an HS256 JWT in a cookie with exp = now + 2s; the server checks the signature
 *                    but never exp
 *   jwt-exp          the same, but the server rejects an expired token
 *   jwt-date-ahead   jwt-exp behind a front whose Date header runs an hour ahead of the clock
 *                    that signs and checks the token (a proxy's or CDN's clock)
 *   jwt-refresh      jwt-exp plus a refresh cookie (Max-Age 1h): an expired access token is
 *                    replaced by a new one on the next request, as access/refresh designs do
 */
import { createHmac, randomBytes } from 'node:crypto';
import express, { type Request } from 'express';
import session from 'express-session';
import cookieSession from 'cookie-session';
import { listen, type RunningApp } from '../helpers/server.js';

export type LifetimeDesign = 'es-rolling' | 'es-fixed' | 'es-absolute' | 'es-nomaxage' | 'es-rotate' | 'cookie-session' | 'jwt-noexp' | 'jwt-exp' | 'jwt-date-ahead' | 'jwt-refresh';

declare module 'express-session' {
  interface SessionData {
    createdAt?: number;
  }
}

const USER = 'alice';
const LIFETIME_MS = 2000;
const ABSOLUTE_MS = 3000;

function credentialsOk(body: unknown, password: string): boolean {
  const b = (body ?? {}) as Record<string, unknown>;
  return b.username === USER && b.password === password;
}

function jwt(key: Buffer, payload: Record<string, unknown>): string {
  const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(payload)}`;
  return `${head}.${createHmac('sha256', key).update(head).digest('base64url')}`;
}

function verifyJwt(key: Buffer, token: string | undefined, checkExp: boolean): string | undefined {
  const [h, p, sig] = (token ?? '').split('.');
  if (!h || !p || createHmac('sha256', key).update(`${h}.${p}`).digest('base64url') !== sig) return undefined;
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { sub?: string; exp?: number };
  if (checkExp && (claims.exp === undefined || claims.exp * 1000 <= Date.now())) return undefined;
  return claims.sub;
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(/;\s*/)) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i) === name) return part.slice(i + 1);
  }
  return undefined;
}

export async function startLifetimeApp(design: LifetimeDesign, password: string): Promise<RunningApp> {
  const app = express();
  app.use(express.json());
  app.get('/', (_req, res) => void res.type('html').send('<!doctype html><p>home</p>'));

  if (design.startsWith('es-')) {
    const store = new session.MemoryStore();
    // Test-only: how many logged-in sessions the store holds.
    app.get('/debug/sessions', (_req, res) => {
      store.all((_err, all) => void res.json({ loggedIn: Object.values(all ?? {}).filter((s) => (s as { user?: string }).user).length }));
    });
    app.use(
      session({
        store,
        name: 'sid',
        secret: randomBytes(16).toString('hex'),
        resave: false,
        saveUninitialized: false,
        rolling: design === 'es-rolling' || design === 'es-absolute',
        cookie: design === 'es-nomaxage' || design === 'es-rotate' ? { httpOnly: true } : { httpOnly: true, maxAge: LIFETIME_MS },
      }),
    );
    if (design === 'es-absolute') {
      app.use((req, _res, next) => {
        const created = req.session.createdAt;
        if (req.session.user && created !== undefined && Date.now() - created > ABSOLUTE_MS) return void req.session.regenerate((err) => next(err));
        next();
      });
    }
    app.post('/logout', (req, res) => void req.session.destroy(() => res.status(204).end()));
    app.post('/api/login', (req, res, next) => {
      if (!credentialsOk(req.body, password)) return void res.status(401).json({ error: 'invalid credentials' });
      req.session.regenerate((err) => {
        if (err) return next(err);
        req.session.user = USER;
        req.session.createdAt = Date.now();
        res.json({ ok: true });
      });
    });
    if (design === 'es-rotate') {
      app.use((req, _res, next) => {
        const { user, createdAt } = req.session;
        if (!user) return void next();
        req.session.regenerate((err) => {
          if (err) return void next(err);
          req.session.user = user;
          req.session.createdAt = createdAt;
          next();
        });
      });
    }
    app.get('/me', (req, res) => (req.session.user ? void res.json({ user: req.session.user }) : void res.status(401).json({ error: 'not logged in' })));
  } else if (design === 'cookie-session') {
    app.use(cookieSession({ name: 'session', keys: [randomBytes(16).toString('hex')], maxAge: LIFETIME_MS }));
    const sess = (req: Request): { user?: string } | null | undefined => (req as unknown as { session: { user?: string } | null | undefined }).session;
    app.post('/api/login', (req, res) => {
      if (!credentialsOk(req.body, password)) return void res.status(401).json({ error: 'invalid credentials' });
      (req as unknown as { session: { user: string } }).session = { user: USER };
      res.json({ ok: true });
    });
    app.get('/me', (req, res) => (sess(req)?.user ? void res.json({ user: sess(req)?.user }) : void res.status(401).json({ error: 'not logged in' })));
  } else {
    const key = randomBytes(32);
    const refresh = new Map<string, string>();
    if (design === 'jwt-date-ahead') {
      app.use((_req, res, next) => {
        res.setHeader('date', new Date(Date.now() + 3_600_000).toUTCString());
        next();
      });
    }
    app.post('/api/login', (req, res) => {
      if (!credentialsOk(req.body, password)) return void res.status(401).json({ error: 'invalid credentials' });
      const exp = Math.floor((Date.now() + LIFETIME_MS) / 1000);
      // A browser-session cookie: the only promise is the token's own exp claim.
      const lines = [`token=${jwt(key, { sub: USER, exp })}; Path=/; HttpOnly; SameSite=Lax`];
      if (design === 'jwt-refresh') {
        const r = randomBytes(24).toString('base64url');
        refresh.set(r, USER);
        lines.push(`refresh=${r}; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax`);
      }
      res.setHeader('set-cookie', lines);
      res.json({ ok: true });
    });
    app.get('/me', (req, res) => {
      let user = verifyJwt(key, readCookie(req, 'token'), design !== 'jwt-noexp');
      if (!user && design === 'jwt-refresh') {
        user = refresh.get(readCookie(req, 'refresh') ?? '');
        if (user) res.setHeader('set-cookie', `token=${jwt(key, { sub: user, exp: Math.floor((Date.now() + LIFETIME_MS) / 1000) })}; Path=/; HttpOnly; SameSite=Lax`);
      }
      if (user) res.json({ user });
      else res.status(401).json({ error: 'not logged in' });
    });
  }
  return listen(app);
}
