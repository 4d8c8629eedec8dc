import { cookieRule } from './cookie-rule.js';
import { EXPRESS_SESSION_COOKIE } from './snippets.js';

export default cookieRule(
  {
    id: 'cookie-httponly',
    name: 'SessionCookieWithoutHttpOnly',
    title: 'Session cookie readable by JavaScript (no HttpOnly)',
    severity: 'medium',
    why: 'Without HttpOnly, any script running in the page can read the session token through document.cookie. One cross-site scripting bug then becomes a full account takeover that outlives the victim closing the tab.',
    fix: 'Set the HttpOnly attribute on every session cookie; no client-side code needs to read it.',
    snippets: { 'express-session': EXPRESS_SESSION_COOKIE },
    cwe: [1004],
    asvs: ['5.0: V3.3.4', '4.0.3: 3.4.2'],
    wstg: ['WSTG-SESS-02'],
    requires: ['session'],
  },
  (line, cookie) =>
    line.httpOnly
      ? { status: 'pass', message: `${cookie.name} has HttpOnly.` }
      : { status: 'fail', message: `Session cookie ${cookie.name} is set without HttpOnly, so page scripts (and any XSS payload) can read it.` },
);
