/**
 * Shared wiring for test/apps/passport-legacy.ts (passport 0.5.3) and test/apps/passport-current.ts
 * (passport 0.7). Both use express-session with its default cookie
 * (`connect.sid`, Path=/, HttpOnly, no SameSite, no Max-Age => browser-session
 * cookie) and MemoryStore, plus passport-local. Only the passport instance and
 * the logout call differ.
 */
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import session from 'express-session';
import passportLocal from 'passport-local';
import type { PassportStatic } from 'passport';
import {
  INVALID_CREDENTIALS_HTML,
  USERNAME,
  checkCredentials,
  homePage,
  internalError,
  loginPage,
  randomToken,
  requireSessionCsrf,
} from './contract.js';

export const COOKIE_NAME = 'connect.sid';

interface AppUser {
  username: string;
}

function isAppUser(u: unknown): u is AppUser {
  return typeof u === 'object' && u !== null && typeof (u as AppUser).username === 'string';
}

/** passport-local's failures reach express as AuthenticationError (status 401) with failWithError. */
function isAuthFailure(err: unknown): boolean {
  return err instanceof Error && err.name === 'AuthenticationError';
}

export interface PassportAppOptions {
  title: string;
  /** The passport module (0.5.3 or 0.7) — a fresh `Passport` instance is created from it. */
  passportModule: PassportStatic;
  /** POST /logout handler; must log out and answer 302 -> /login. */
  logout: RequestHandler;
}

export function buildPassportApp({ title, passportModule, logout }: PassportAppOptions): express.Express {
  // Own instance: the two passport versions never share strategies/serializers.
  const passport = new passportModule.Passport();

  passport.use(
    new passportLocal.Strategy((username, password, done) => {
      if (checkCredentials(username, password)) done(null, { username } satisfies AppUser);
      else done(null, false, { message: 'Invalid credentials' });
    }),
  );
  passport.serializeUser((user, done) => {
    done(null, isAppUser(user) ? user.username : undefined);
  });
  passport.deserializeUser((id: unknown, done) => {
    done(null, id === USERNAME ? ({ username: USERNAME } satisfies AppUser) : false);
  });

  const app = express();
  app.use(
    session({
      secret: randomToken(32),
      resave: false,
      saveUninitialized: false,
    }),
  );
  app.use(express.urlencoded({ extended: false }));
  app.use(express.json());
  app.use(passport.initialize());
  app.use(passport.session());

  app.get('/', (_req, res) => {
    res.type('html').send(homePage(title));
  });

  app.get('/login', (req, res) => {
    req.session.csrf ??= randomToken(32);
    res.type('html').send(loginPage(req.session.csrf));
  });

  const formFailure: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    if (isAuthFailure(err)) res.status(401).type('html').send(INVALID_CREDENTIALS_HTML);
    else next(err);
  };
  const jsonFailure: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    if (isAuthFailure(err)) res.status(401).json({ error: 'invalid credentials' });
    else next(err);
  };

  // Default passport flow: authenticate() calls req.logIn() itself on success,
  // failures become next(AuthenticationError) thanks to failWithError.
  const authenticate: RequestHandler = passport.authenticate('local', { failWithError: true });
  const redirectToMe: RequestHandler = (_req, res) => res.redirect(302, '/me');
  const jsonOk: RequestHandler = (_req, res) => {
    res.json({ ok: true });
  };
  app.post('/login', requireSessionCsrf, authenticate, redirectToMe, formFailure);
  app.post('/api/login', authenticate, jsonOk, jsonFailure);

  app.get('/me', (req, res) => {
    if (req.isAuthenticated() && isAppUser(req.user)) res.json({ user: req.user.username });
    else res.status(401).json({ error: 'not logged in' });
  });

  app.post('/logout', logout);

  app.use(internalError);
  return app;
}
