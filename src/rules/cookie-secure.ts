import { cookieRule } from './cookie-rule.js';
import { EXPRESS_SESSION_COOKIE } from './snippets.js';

export default cookieRule(
  {
    id: 'cookie-secure',
    name: 'SessionCookieWithoutSecure',
    title: 'Session cookie without the Secure attribute',
    severity: 'high',
    why: 'Without Secure, the browser sends the session token over plain HTTP too, where anyone on the network path can read it and take over the session. A single http:// link or a downgrade is enough to leak it.',
    fix: 'Set the Secure attribute on the session cookie and serve the application only over HTTPS (with HSTS).',
    snippets: { 'express-session': EXPRESS_SESSION_COOKIE },
    cwe: [614],
    asvs: ['5.0: V3.3.1', '4.0.3: 3.4.1'],
    wstg: ['WSTG-SESS-02'],
    requires: ['session'],
  },
  (line, cookie, session) =>
    line.secure
      ? { status: 'pass', message: `${cookie.name} has Secure.` }
      : {
          status: 'fail',
          message: `Session cookie ${cookie.name} is set without Secure, so browsers also send it over plain HTTP.`,
          evidence: session.https ? [] : [`The target itself is served over http://${session.host}: the token already travels in clear.`],
        },
);
