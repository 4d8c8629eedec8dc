import { cookieRule } from './cookie-rule.js';
import { EXPRESS_SESSION_COOKIE } from './snippets.js';

export default cookieRule(
  {
    id: 'cookie-samesite',
    name: 'SessionCookieSameSiteWeak',
    title: 'Session cookie without a valid, restrictive SameSite',
    severity: 'medium',
    why: 'SameSite decides whether the browser attaches the session cookie to requests started by other sites, which is what cross-site request forgery relies on. Left out or invalid, the behaviour depends on the browser; None without Secure makes browsers drop the cookie altogether.',
    fix: 'Set SameSite=Lax (or Strict where cross-site navigation into a logged-in page is not needed). Use None only for a cookie that must work in cross-site embeds, and then always with Secure.',
    snippets: { 'express-session': EXPRESS_SESSION_COOKIE },
    cwe: [1275],
    asvs: ['5.0: V3.3.2', '4.0.3: 3.4.3'],
    wstg: ['WSTG-SESS-02'],
    requires: ['session'],
  },
  (line, cookie) => {
    if (line.sameSite === undefined) {
      return { status: 'fail', message: `Session cookie ${cookie.name} has no SameSite attribute; whether it rides on cross-site requests is left to each browser's default.` };
    }
    if (line.sameSite === 'invalid') {
      return { status: 'fail', message: `Session cookie ${cookie.name} has SameSite=${line.sameSiteRaw ?? ''}, which is not Strict, Lax or None; browsers ignore it.` };
    }
    if (line.sameSite === 'none' && !line.secure) {
      return { status: 'fail', severity: 'medium', message: `Session cookie ${cookie.name} has SameSite=None without Secure; current browsers reject such a cookie, and older ones send it on every cross-site request.` };
    }
    if (line.sameSite === 'none') {
      return { status: 'fail', severity: 'low', message: `Session cookie ${cookie.name} has SameSite=None, so it is sent on cross-site requests; CSRF protection then rests on tokens alone.` };
    }
    return { status: 'pass', message: `${cookie.name} has SameSite=${line.sameSiteRaw ?? line.sameSite}.` };
  },
);
