/**
 * express-session apps with a password change, as generated code writes them. JSON login at
 * POST /api/login, GET /me; the change is POST /api/password {password, newPassword} (JSON) or
 * the form at GET/POST /account/password (CSRF token in the session). Modes:
 *
 *   destroy-others   the change destroys the user's other sessions in the store (ASVS V7.4.3)
 *   keep-others      the change only updates the password; other sessions live on
 *   ignore           answers 200 but changes nothing (a wrong field name, as the audit sees it)
 *   no-reuse         refuses a password used before (history), so changing it back always fails
 *   drop-after-change  after the first change, the next login's connection is cut (a failure in
 *                    the middle of the probe)
 */
import { randomBytes } from 'node:crypto';
import express, { type Request } from 'express';
import session from 'express-session';
import { listen, type RunningApp } from '../helpers/server.js';

export type PasswordMode = 'destroy-others' | 'keep-others' | 'ignore' | 'no-reuse' | 'drop-after-change';

export interface PasswordApp extends RunningApp {
  password(): string;
  /** Every password the account has had (test-only: to look for the temporary one in outputs). */
  history(): string[];
  changes(): number;
}

declare module 'express-session' {
  interface SessionData {
    pwCsrf?: string;
  }
}

export async function startPasswordApp(mode: PasswordMode, initial: string, onChange?: () => void): Promise<PasswordApp> {
  let password = initial;
  const history = new Set([initial]);
  const sids = new Set<string>();
  let changes = 0;
  let dropNextLogin = false;
  const store = new session.MemoryStore();
  const app = express();
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ name: 'sid', secret: randomBytes(16).toString('hex'), resave: false, saveUninitialized: false, store }));
  app.get('/', (_req, res) => void res.type('html').send('<!doctype html><p>home</p>'));
  app.post('/api/login', (req, res, next) => {
    if (dropNextLogin) {
      dropNextLogin = false;
      req.socket.destroy();
      return;
    }
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (b.username !== 'alice' || b.password !== password) return void res.status(401).json({ error: 'invalid credentials' });
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.user = 'alice';
      sids.add(req.sessionID);
      res.json({ ok: true });
    });
  });
  app.get('/me', (req, res) => (req.session.user ? void res.json({ user: req.session.user }) : void res.status(401).json({ error: 'not logged in' })));

  const change = (req: Request, current: unknown, next: unknown): { status: number; error?: string } => {
    if (!req.session.user) return { status: 401, error: 'not logged in' };
    if (current !== password || typeof next !== 'string' || next.length < 8) return { status: 400, error: 'wrong current password or weak new password' };
    onChange?.();
    if (mode === 'ignore') return { status: 200 };
    if (mode === 'no-reuse' && history.has(next)) return { status: 400, error: 'this password was used before' };
    password = next;
    history.add(next);
    changes += 1;
    if (mode === 'drop-after-change' && changes === 1) dropNextLogin = true;
    if (mode === 'destroy-others') {
      for (const sid of sids) if (sid !== req.sessionID) store.destroy(sid);
      for (const sid of [...sids]) if (sid !== req.sessionID) sids.delete(sid);
    }
    return { status: 200 };
  };
  app.post('/api/password', (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const r = change(req, b.password, b.newPassword);
    res.status(r.status).json(r.error ? { error: r.error } : { ok: true });
  });
  app.get('/account/password', (req, res) => {
    if (!req.session.user) return void res.status(401).send('log in first');
    req.session.pwCsrf = randomBytes(16).toString('hex');
    res.type('html').send(`<!doctype html><form method="post" action="/account/password"><input type="hidden" name="_csrf" value="${req.session.pwCsrf}"><input type="password" name="current"><input type="password" name="next"><button>Change</button></form>`);
  });
  app.post('/account/password', (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    if (!req.session.pwCsrf || b._csrf !== req.session.pwCsrf) return void res.status(403).send('bad CSRF token');
    const r = change(req, b.current, b.next);
    if (r.error) return void res.status(r.status).send(r.error);
    res.redirect(303, '/me');
  });
  const running = await listen(app);
  return { ...running, password: () => password, history: () => [...history], changes: () => changes };
}

/** A plain login with the given password, outside the audit: the proof every test ends with. */
export async function canLogIn(url: string, password: string): Promise<boolean> {
  const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password }) });
  return res.status === 200;
}
