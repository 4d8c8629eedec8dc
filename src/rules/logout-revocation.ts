import type { Evidence } from '../evidence/types.js';
import { logoutPrecondition } from './logout-shared.js';
import { EXPRESS_SESSION_DESTROY } from './snippets.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'logout-revocation',
  name: 'SessionNotRevokedAtLogout',
  title: 'Session still valid on the server after logout',
  severity: 'high',
  why: 'Logout that only deletes the cookie in the browser leaves the session alive on the server, so any copy of the token (stolen by XSS or malware, left in a proxy log, on a shared computer) keeps working. Users log out precisely to end that risk.',
  fix: 'On logout, destroy the session on the server (delete it from the store) before clearing the cookie. With client-side sessions (signed cookies, JWTs) keep a server-side revocation list or session version, or move to a server-side store.',
  snippets: {
    'express-session': EXPRESS_SESSION_DESTROY,
    'cookie-session': '// cookie-session keeps all state in the cookie, so logout cannot revoke a copied cookie.\n// Move to express-session with a server-side store, or keep a per-user session version\n// in your database, store it in the cookie, and reject cookies whose version is stale.',
    php: 'session_destroy(); // and setcookie(session_name(), "", time() - 3600, "/")',
  },
  cwe: [613],
  asvs: ['5.0: V7.4.1', '4.0.3: 3.3.1'],
  wstg: ['WSTG-SESS-06'],
  requires: ['session', 'logout'],
};

function check(ev: Evidence): CheckResult[] {
  const pre = logoutPrecondition(meta, ev);
  if ('early' in pre) return [pre.early];
  const d = pre.data;
  const actions = d.cookieActions.map((a) => `${a.name} ${a.action === 'kept' ? 'kept unchanged' : a.action}${a.line ? ` (Set-Cookie: ${a.line})` : ''}`).join('; ');
  const evidence = [
    `Logout answered ${d.logoutStatus ?? '?'}; in the browser: ${actions}.`,
    `The browser that logged out: ${d.victimAfter.why} → logged out.`,
    `A second browser replaying the cookies saved before logout: ${d.replay.why} → ${d.replay.loggedIn ? 'still logged in' : 'logged out'}.`,
  ];
  const ids = [...d.logoutExchangeIds, d.replay.exchangeId];
  if (d.replay.loggedIn) {
    return [result(meta, 'fail', 'After logout, the session cookie saved before logout still passes the logged-in check: logout did not end the session on the server.', { evidence, exchangeIds: ids })];
  }
  return [result(meta, 'pass', 'The session cookie saved before logout no longer works after logout.', { evidence, exchangeIds: ids })];
}

export default { meta, check } satisfies Rule;
