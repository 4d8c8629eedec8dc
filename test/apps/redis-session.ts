/**
 * express 5 + express-session + connect-redis v9 (node `redis` v5 client).
 *
 * Cookie: `sid` (signed, `s%3A<id>.<sig>`), Path=/, HttpOnly, SameSite=Lax,
 * Max-Age/Expires = 24h. Session data lives in Redis under `sess:<id>`.
 *
 *   GET /login   stores a CSRF token -> pre-login session (Set-Cookie sid, key in Redis)
 *   login        req.session.regenerate(): old id destroyed in Redis, new id + cookie
 *   POST /logout req.session.destroy() (key deleted) + res.clearCookie('sid'), 302 -> /login
 *
 * So: no fixation, and an old cookie replayed after logout gets 401.
 */
import express, { type Request, type Response, type NextFunction } from 'express';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { listen, type RunningApp } from '../helpers/server.js';
import {
  INVALID_CREDENTIALS_HTML,
  USERNAME,
  bodyField,
  checkCredentials,
  homePage,
  internalError,
  loginPage,
  randomToken,
  requireSessionCsrf,
} from '../helpers/contract.js';

export const COOKIE_NAME = 'sid';
export const KEY_PREFIX = 'sess:';

/** Regenerate the session id, keep only the user, and persist before answering. */
function establishLogin(req: Request, next: NextFunction, done: () => void): void {
  req.session.regenerate((err: unknown) => {
    if (err) return next(err);
    req.session.user = USERNAME;
    req.session.save((err2: unknown) => (err2 ? next(err2) : done()));
  });
}

export async function start({ redisUrl }: { redisUrl: string }): Promise<RunningApp> {
  const client = createClient({ url: redisUrl });
  client.on('error', () => {
    /* reconnects are handled by the client; avoid unhandled 'error' events */
  });
  await client.connect();

  const app = express();
  app.use(
    session({
      name: COOKIE_NAME,
      secret: randomToken(32),
      store: new RedisStore({ client, prefix: KEY_PREFIX }),
      resave: false,
      saveUninitialized: false,
      cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 60 * 60 * 1000 },
    }),
  );
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());

  app.get('/', (_req, res) => {
    res.type('html').send(homePage('redis-session app'));
  });

  app.get('/login', (req, res) => {
    req.session.csrf ??= randomToken(32);
    res.type('html').send(loginPage(req.session.csrf));
  });

  app.post('/login', requireSessionCsrf, (req, res, next) => {
    if (!checkCredentials(bodyField(req.body, 'username'), bodyField(req.body, 'password'))) {
      res.status(401).type('html').send(INVALID_CREDENTIALS_HTML);
      return;
    }
    establishLogin(req, next, () => res.redirect(302, '/me'));
  });

  app.post('/api/login', (req, res, next) => {
    if (!checkCredentials(bodyField(req.body, 'username'), bodyField(req.body, 'password'))) {
      res.status(401).json({ error: 'invalid credentials' });
      return;
    }
    establishLogin(req, next, () => res.json({ ok: true }));
  });

  app.get('/me', (req, res) => {
    if (req.session.user) res.json({ user: req.session.user });
    else res.status(401).json({ error: 'not logged in' });
  });

  app.post('/logout', (req: Request, res: Response, next: NextFunction) => {
    req.session.destroy((err: unknown) => {
      if (err) return next(err);
      res.clearCookie(COOKIE_NAME);
      res.redirect(302, '/login');
    });
  });

  app.use(internalError);

  const running = await listen(app);
  return {
    url: running.url,
    async close() {
      await running.close();
      await client.close();
    },
  };
}
