import { formatDuration } from '../config/duration.js';
import { cookieRule } from './cookie-rule.js';
import { EXPRESS_SESSION_COOKIE } from './snippets.js';

/** Expires is judged against the response Date, which has one-second resolution. */
const TOLERANCE_SECONDS = 60;

export default cookieRule(
  {
    id: 'cookie-lifetime',
    name: 'SessionCookieLifetimeTooLong',
    title: 'Persistent session cookie outlives the maximum session lifetime',
    severity: 'medium',
    why: 'A persistent session cookie stays on disk and keeps the user logged in across browser restarts for as long as Max-Age or Expires says. The longer it lives, the longer a stolen or forgotten token (a shared computer, a backup, malware) stays useful.',
    fix: 'Give the session cookie a Max-Age no longer than the policy\'s maximum session lifetime (or no Max-Age/Expires at all, so it ends with the browser), and enforce the same limit on the server.',
    snippets: { 'express-session': EXPRESS_SESSION_COOKIE },
    cwe: [613],
    asvs: ['5.0: V7.3.2', '4.0.3: 3.3.2'],
    wstg: ['WSTG-SESS-02', 'WSTG-SESS-07'],
    requires: ['session'],
  },
  (line, cookie, _session, policy) => {
    const limit = Math.round(policy.maxLifetime / 1000);
    if (line.lifetimeSeconds === undefined) {
      return { status: 'pass', message: `${cookie.name} is a browser-session cookie (no Max-Age or Expires): it ends when the browser closes.` };
    }
    const life = formatDuration(line.lifetimeSeconds * 1000);
    if (line.lifetimeSeconds > limit + TOLERANCE_SECONDS) {
      return {
        status: 'fail',
        message: `Session cookie ${cookie.name} persists for ${life}, longer than the policy's maximum lifetime of ${formatDuration(policy.maxLifetime)}.`,
        evidence: [`Lifetime from ${line.maxAge !== undefined ? `Max-Age=${line.maxAge}` : `Expires=${line.expiresRaw ?? ''}`}: ${life}; policy.maxLifetime: ${formatDuration(policy.maxLifetime)}`],
      };
    }
    return { status: 'pass', message: `${cookie.name} persists for ${life}, within the policy's ${formatDuration(policy.maxLifetime)}.` };
  },
);
