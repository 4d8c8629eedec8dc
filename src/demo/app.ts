/**
 * The embedded demo target: the Express login code that code generators typically produce, and
 * its hardened twin. The vulnerable one has every mistake from the article this tool grew out of:
 * express-session with the default MemoryStore, the secret 'keyboard cat', no secure/httpOnly/
 * sameSite/maxAge on the cookie, no regenerate at login, and a logout that only clears the cookie
 * in the browser. Its login page stores a CSRF token in the session before login, as many real
 * apps do, so a pre-login session exists and fixation is real.
 * It listens on 127.0.0.1 only.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import session from 'express-session';
import { DEMO_CERT, DEMO_KEY } from './tls.js';

declare module 'express-session' {
  interface SessionData {
    csrf?: string;
    user?: string;
    /** When the user logged in (the hardened demo's absolute timeout). */
    createdAt?: number;
  }
}

export const DEMO_USER = 'alice';

export interface DemoOptions {
  /** The hardened variant (served over HTTPS). */
  fixed: boolean;
  /** The password the demo accepts for alice. */
  password: string;
  /** Hardened variant: idle timeout (default 30m) and absolute lifetime (default 24h) it enforces. */
  idleTimeoutMs?: number;
  maxLifetimeMs?: number;
}

export interface RunningDemo {
  url: string;
  /** PEM of the certificate to trust (fixed variant only). */
  ca?: string;
  close(): Promise<void>;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SESSION_NAME_FIXED = '__Host-sid';

export function createDemoApp(opts: DemoOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());

  if (opts.fixed) {
    app.use(
      session({
        name: SESSION_NAME_FIXED,
        secret: randomBytes(32).toString('hex'),
        resave: false,
        saveUninitialized: false,
        // Idle timeout: the store entry and the cookie both expire idleTimeout after the last
        // request; rolling re-issues the cookie so the browser is told the same moment.
        rolling: true,
        cookie: { secure: true, httpOnly: true, sameSite: 'lax', path: '/', maxAge: opts.idleTimeoutMs ?? 30 * 60 * 1000 },
      }),
    );
    // Absolute timeout: however active, a session ends maxLifetime after login.
    const maxLifetime = opts.maxLifetimeMs ?? 24 * 60 * 60 * 1000;
    app.use((req, _res, next) => {
      const created = req.session.createdAt;
      if (req.session.user && created !== undefined && Date.now() - created > maxLifetime) {
        req.session.regenerate((err) => next(err)); // the old session is destroyed; a fresh anonymous one takes its place
        return;
      }
      next();
    });
  } else {
    // As generated: default MemoryStore, hard-coded secret, default cookie (no secure, no maxAge).
    app.use(session({ secret: 'keyboard cat', resave: false, saveUninitialized: true, cookie: { httpOnly: false } }));
  }

  app.get('/', (req: Request, res: Response) => {
    res.type('html').send(`<!doctype html><title>Demo</title><p>${req.session.user ? `Hello ${escapeHtml(req.session.user)}` : '<a href="/login">Log in</a>'}</p>`);
  });

  app.get('/login', (req: Request, res: Response) => {
    const token = randomBytes(16).toString('hex');
    req.session.csrf = token;
    res.type('html').send(`<!doctype html>
<html><head><title>Log in</title><meta name="csrf-token" content="${token}"></head>
<body><form method="post" action="/login">
<input type="hidden" name="_csrf" value="${token}">
<label>Username <input type="text" name="username" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Log in</button>
</form></body></html>`);
  });

  app.post('/login', (req: Request, res: Response, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const csrf = typeof body._csrf === 'string' ? body._csrf : '';
    if (!req.session.csrf || !safeEqual(csrf, req.session.csrf)) {
      res.status(403).type('text').send('Invalid CSRF token');
      return;
    }
    const ok = body.username === DEMO_USER && typeof body.password === 'string' && safeEqual(body.password, opts.password);
    if (!ok) {
      res.status(401).type('html').send('<p>Invalid credentials</p>');
      return;
    }
    if (!opts.fixed) {
      req.session.user = DEMO_USER; // the pre-login session simply becomes the logged-in one
      res.redirect('/');
      return;
    }
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.user = DEMO_USER;
      req.session.createdAt = Date.now();
      req.session.save((err2) => (err2 ? next(err2) : res.redirect('/')));
    });
  });

  app.get('/me', (req: Request, res: Response) => {
    if (!req.session.user) {
      res.status(401).json({ error: 'not logged in' });
      return;
    }
    res.json({ user: req.session.user });
  });

  app.post('/logout', (req: Request, res: Response, next) => {
    if (!opts.fixed) {
      res.clearCookie('connect.sid'); // the browser forgets the cookie; the server-side session lives on
      res.redirect('/login');
      return;
    }
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(SESSION_NAME_FIXED, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
      res.redirect('/login');
    });
  });

  return app;
}

export async function startDemo(opts: DemoOptions): Promise<RunningDemo> {
  const app = createDemoApp(opts);
  const server: Server = opts.fixed ? createHttpsServer({ key: DEMO_KEY, cert: DEMO_CERT }, app) : createHttpServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `${opts.fixed ? 'https' : 'http'}://127.0.0.1:${port}`;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return opts.fixed ? { url, ca: DEMO_CERT, close } : { url, close };
}
