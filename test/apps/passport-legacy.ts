/**
 * passport 0.5.3 (npm alias `passport-0.5`) + passport-local + express-session.
 *
 * Vulnerable on purpose (CVE-2022-25896): 0.5.x's SessionManager.logIn only
 * writes `req.session.passport.user` — it never regenerates the session, so
 * the `connect.sid` issued by GET /login (pre-login, holding the CSRF token)
 * is the very cookie that becomes authenticated. No new Set-Cookie at login.
 *
 * POST /logout: `req.logout()` (synchronous in 0.5) deletes
 * `session.passport.user` only; the same session id lives on (CSRF token
 * still inside), so the old cookie gets 401 on /me but is still a valid
 * session. Then 302 -> /login.
 */
import passportLegacy from 'passport-0.5';
import { listen, type RunningApp } from '../helpers/server.js';
import { buildPassportApp } from '../helpers/passport-app.js';

export { COOKIE_NAME } from '../helpers/passport-app.js';

/** passport <0.6 signature: sync, no callback (@types/passport only knows the 0.6+ one). */
type LegacyLogout = () => void;

export async function start(): Promise<RunningApp> {
  const app = buildPassportApp({
    title: 'passport 0.5.3 app',
    passportModule: passportLegacy,
    logout: (req, res) => {
      (req.logout as unknown as LegacyLogout).call(req);
      res.redirect(302, '/login');
    },
  });
  return listen(app);
}
