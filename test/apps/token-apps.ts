/**
 * Token-strength targets on express 5, JSON login at /api/login (alice / contract PASSWORD),
 * GET /me, POST /logout:
 * - `jwt`: a jsonwebtoken HS256 session cookie `token`, verified with an algorithm allow-list
 *   (alg:none refused), or by the hand-rolled verifier many tutorials and CVEs show, which trusts
 *   the token's own `alg` and accepts `none` (`acceptNone`). Logout only clears the cookie, or
 *   also deny-lists the token's jti (`denyList`).
 * - `ids`: a server-side session store keyed by an ID from a chosen generator (counter,
 *   timestamp, 32-bit random, crypto.randomBytes(32)), issued to anonymous visitors on GET /
 *   (`anonymous`) or only at login; logout deletes the session.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import jwt from 'jsonwebtoken';
import { listen, type RunningApp } from '../helpers/server.js';
import { checkCredentials, USERNAME } from '../helpers/contract.js';

function cookies(req: Request): Record<string, string> {
  return Object.fromEntries((req.headers.cookie ?? '').split(/;\s*/).filter(Boolean).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

export interface JwtAppOptions {
  secret: string;
  expiresIn?: string;
  acceptNone?: boolean;
  denyList?: boolean;
  /** Put the user's e-mail and role in the token. */
  personal?: boolean;
  /** Also answer the login with an API token (no exp) signed with this secret, in `access_token`. */
  apiTokenSecret?: string;
}

export async function startJwtApp(opts: JwtAppOptions): Promise<RunningApp> {
  const app = express();
  app.use(express.json());
  const revoked = new Set<string>();
  const verify = (token: string | undefined): jwt.JwtPayload | undefined => {
    if (!token) return undefined;
    try {
      if (opts.acceptNone) {
        // The vulnerable pattern: trust the header's alg.
        const decoded = jwt.decode(token, { complete: true });
        if (decoded && String(decoded.header.alg).toLowerCase() === 'none') return decoded.payload as jwt.JwtPayload;
      }
      return jwt.verify(token, opts.secret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    } catch {
      return undefined;
    }
  };
  app.get('/', (_req, res) => {
    res.type('html').send('<!doctype html><title>jwt app</title>');
  });
  app.post('/api/login', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!checkCredentials(body.username, body.password)) {
      res.status(401).json({ error: 'invalid credentials' });
      return;
    }
    const claims = opts.personal ? { sub: USERNAME, email: 'alice@example.test', role: 'admin' } : { sub: USERNAME };
    const token = jwt.sign(claims, opts.secret, { algorithm: 'HS256', jwtid: randomUUID(), ...(opts.expiresIn ? { expiresIn: opts.expiresIn as jwt.SignOptions['expiresIn'] } : {}) });
    res.setHeader('set-cookie', `token=${token}; Path=/; HttpOnly; SameSite=Lax`);
    res.json(opts.apiTokenSecret ? { ok: true, data: { access_token: jwt.sign({ sub: USERNAME, scope: 'api' }, opts.apiTokenSecret) } } : { ok: true });
  });
  app.get('/me', (req: Request, res: Response) => {
    const payload = verify(cookies(req).token);
    if (!payload || (payload.jti && revoked.has(payload.jti))) {
      res.status(401).json({ error: 'not logged in' });
      return;
    }
    res.json({ user: payload.sub });
  });
  app.post('/logout', (req: Request, res: Response) => {
    const payload = verify(cookies(req).token);
    if (opts.denyList && payload?.jti) revoked.add(payload.jti);
    res.setHeader('set-cookie', 'token=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
    res.redirect(302, '/');
  });
  return listen(app);
}

export type IdGenerator = 'counter' | 'timestamp' | 'random32' | 'strong';

export interface IdAppOptions {
  generator: IdGenerator;
  /** Issue the session cookie to anonymous visitors (GET /), not only at login. */
  anonymous: boolean;
}

export interface IdApp extends RunningApp {
  /** Sessions in the store that have a logged-in user. */
  loggedInSessions(): number;
}

export async function startIdApp(opts: IdAppOptions): Promise<IdApp> {
  const sessions = new Map<string, { user?: string }>();
  let counter = 4711;
  let lastMs = 0;
  const gen = (): string => {
    switch (opts.generator) {
      case 'counter':
        return String((counter += 1));
      case 'timestamp': {
        // Millisecond time, made unique by bumping within the same millisecond.
        lastMs = Math.max(Date.now(), lastMs + 1);
        return lastMs.toString(16);
      }
      case 'random32':
        return randomBytes(4).toString('hex');
      case 'strong':
        return randomBytes(32).toString('base64url');
    }
  };
  const newSession = (res: Response, data: { user?: string } = {}): void => {
    const id = gen();
    sessions.set(id, data);
    res.append('set-cookie', `sid=${id}; Path=/; HttpOnly; SameSite=Lax`);
  };
  const app = express();
  app.use(express.json());
  app.get('/', (req: Request, res: Response) => {
    if (opts.anonymous && !sessions.has(cookies(req).sid ?? '')) newSession(res);
    res.type('html').send('<!doctype html><title>id app</title>');
  });
  app.post('/api/login', (req: Request, res: Response) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!checkCredentials(body.username, body.password)) {
      res.status(401).json({ error: 'invalid credentials' });
      return;
    }
    sessions.delete(cookies(req).sid ?? '');
    newSession(res, { user: USERNAME });
    res.json({ ok: true });
  });
  app.get('/me', (req: Request, res: Response) => {
    const user = sessions.get(cookies(req).sid ?? '')?.user;
    if (user) res.json({ user });
    else res.status(401).json({ error: 'not logged in' });
  });
  app.post('/logout', (req: Request, res: Response) => {
    sessions.delete(cookies(req).sid ?? '');
    res.setHeader('set-cookie', 'sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
    res.redirect(302, '/');
  });
  const running = await listen(app);
  return { ...running, loggedInSessions: () => [...sessions.values()].filter((s) => s.user).length };
}
