/**
 * passport 0.7 + passport-local + express-session.
 *
 * 0.6+ SessionManager.logIn calls req.session.regenerate() (old id destroyed
 * in the store, all pre-login data — incl. the CSRF token — dropped, since
 * keepSessionInfo is not set), then saves: a new `connect.sid` is sent at
 * login and the pre-login cookie is worthless afterwards.
 *
 * POST /logout: `req.logout(cb)` deletes the user, saves, then regenerates
 * again (a fresh, empty session id + Set-Cookie), then 302 -> /login.
 */
import passport from 'passport';
import { listen, type RunningApp } from '../helpers/server.js';
import { buildPassportApp } from '../helpers/passport-app.js';

export { COOKIE_NAME } from '../helpers/passport-app.js';

export async function start(): Promise<RunningApp> {
  const app = buildPassportApp({
    title: 'passport 0.7 app',
    passportModule: passport,
    logout: (req, res, next) => {
      req.logout((err: unknown) => {
        if (err) return next(err);
        res.redirect(302, '/login');
      });
    },
  });
  return listen(app);
}
