/**
 * express 5 + cookie-session 2: all session state lives in the client cookie.
 *
 * Cookies: `session` (base64 JSON) + `session.sig` (keygrip HMAC, random key),
 * both Path=/, HttpOnly (cookie-session default), no SameSite, no Max-Age
 * (browser-session cookies).
 *
 *   GET /login   stores the CSRF token in the cookie -> pre-login `session` cookie
 *   login        sets `user` (and drops the CSRF token): the cookie value changes
 *                because its content changes — there is no id to regenerate
 *   POST /logout `req.session = null` -> expiring Set-Cookie for `session` and
 *                `session.sig`, 302 -> /login. Nothing is revoked server-side, so
 *                a copy of the logged-in cookie pair keeps working (/me 200).
 */
import express, { type Request } from 'express';
import cookieSession from 'cookie-session';
import { listen, type RunningApp } from '../helpers/server.js';
import {
  INVALID_CREDENTIALS_HTML,
  INVALID_CSRF_HTML,
  USERNAME,
  bodyField,
  checkCredentials,
  homePage,
  internalError,
  loginPage,
  randomToken,
  safeEqual,
} from '../helpers/contract.js';

export const COOKIE_NAME = 'session';

interface CookieState {
  csrf?: string;
  user?: string;
  email?: string;
}

/**
 * cookie-session's typings do not augment express's Request (and
 * express-session's augmentation, loaded elsewhere, would claim `session`),
 * so view the request through a small local interface.
 */
function cs(req: Request): { session?: CookieState | null } {
  return req as unknown as { session?: CookieState | null };
}

/** `keys`: the signing keys (default: one random key). */
export async function start(opts: { keys?: string[]; email?: boolean } = {}): Promise<RunningApp> {
  const app = express();
  app.use(cookieSession({ name: COOKIE_NAME, keys: opts.keys ?? [randomToken(32)] }));
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());

  app.get('/', (_req, res) => {
    res.type('html').send(homePage('cookie-session app'));
  });

  app.get('/login', (req, res) => {
    const s = (cs(req).session ??= {});
    s.csrf ??= randomToken(32);
    res.type('html').send(loginPage(s.csrf));
  });

  const logIn = (req: Request): void => {
    // Replace the whole state: drops the pre-login CSRF token.
    cs(req).session = opts.email ? { user: USERNAME, email: 'alice@example.test' } : { user: USERNAME };
  };

  app.post('/login', (req, res) => {
    if (!safeEqual(bodyField(req.body, '_csrf'), cs(req).session?.csrf)) {
      res.status(403).type('html').send(INVALID_CSRF_HTML);
      return;
    }
    if (!checkCredentials(bodyField(req.body, 'username'), bodyField(req.body, 'password'))) {
      res.status(401).type('html').send(INVALID_CREDENTIALS_HTML);
      return;
    }
    logIn(req);
    res.redirect(302, '/me');
  });

  app.post('/api/login', (req, res) => {
    if (!checkCredentials(bodyField(req.body, 'username'), bodyField(req.body, 'password'))) {
      res.status(401).json({ error: 'invalid credentials' });
      return;
    }
    logIn(req);
    res.json({ ok: true });
  });

  app.get('/me', (req, res) => {
    const user = cs(req).session?.user;
    if (user) res.json({ user });
    else res.status(401).json({ error: 'not logged in' });
  });

  app.post('/logout', (req, res) => {
    cs(req).session = null;
    res.redirect(302, '/login');
  });

  app.use(internalError);
  return listen(app);
}
