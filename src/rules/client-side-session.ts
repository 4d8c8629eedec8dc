import type { Evidence, TokenCookieEvidence } from '../evidence/types.js';
import { tokenPrecondition } from './token-shared.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'client-side-session',
  name: 'ClientSideSessionState',
  title: 'Session state stored in the cookie itself',
  severity: 'medium',
  why: 'When the whole session lives in a signed or sealed cookie, the server keeps nothing it could delete: logout, a password change or an admin\'s "end all sessions" cannot invalidate a copied cookie before it expires, unless the server also tracks a revocation list or session version. A signed (not encrypted) cookie is also readable by anyone who holds it, so personal data in it leaks to logs, proxies and browser extensions.',
  fix: 'Keep the session on the server (a store keyed by a random ID), or keep a per-user session version or deny-list that the server checks on every request and bumps at logout. Put only an opaque user ID in signed cookies, never e-mail addresses, roles or password hashes; encrypt the cookie if it must carry more.',
  snippets: {
    'cookie-session': "// cookie-session cannot revoke a copied cookie. Prefer express-session with a server-side store:\napp.use(session({ store: new RedisStore({ client }), secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));",
    flask: "# Flask's default session is a signed cookie. Keep it server-side, e.g. Flask-Session:\napp.config['SESSION_TYPE'] = 'redis'\nSession(app)",
  },
  cwe: [613, 315],
  asvs: ['5.0: V7.4.1', '4.0.3: 3.3.1'],
  wstg: ['WSTG-SESS-06', 'WSTG-SESS-02'],
  requires: ['session', 'tokens', 'logout'],
};

function stateResult(ev: Evidence, c: TokenCookieEvidence): CheckResult {
  const what = `${c.cookie} holds the session state itself (${c.description}).`;
  const logout = ev.probes.logout;
  if (logout.status !== 'ok') {
    const why = logout.status === 'skipped' ? logout.reason : `the logout probe failed: ${logout.error}`;
    return result(meta, 'skipped', `${what} Whether the server can still revoke it (a deny-list or session version) is decided by replaying it after logout, which did not run: ${why}.`, { cookie: c.cookie });
  }
  const d = logout.data;
  const evidence = [what, `A second browser replaying the cookies saved before logout: ${d.replay.why} → ${d.replay.loggedIn ? 'still logged in' : 'logged out'}.`];
  const ids = [...d.logoutExchangeIds, d.replay.exchangeId];
  if (!d.beforeLogout.loggedIn || d.victimAfter.loggedIn) {
    return result(meta, 'skipped', `${what} The logout did not take effect in the logging-out browser, so the replay cannot show whether the server revokes the cookie.`, { cookie: c.cookie, evidence, exchangeIds: ids });
  }
  if (d.replay.loggedIn) {
    return result(meta, 'fail', `${what} After logout, a copy of it still logged a browser in: the server keeps no state that logout could revoke.`, { cookie: c.cookie, evidence, exchangeIds: ids });
  }
  return result(meta, 'pass', `${what} But a copy replayed after logout was refused, so the server does revoke it (a deny-list or session version check); state in the cookie is then not a revocation problem.`, { cookie: c.cookie, evidence, exchangeIds: ids });
}

function personalResult(c: TokenCookieEvidence): CheckResult {
  const fields = c.personalData.map((p) => `${p.field} (${p.kind})`).join(', ');
  const password = c.personalData.some((p) => p.kind.startsWith('password'));
  // Roles and OAuth scopes disclose how authorization works, not who the user is: a lesser leak.
  const privilegeOnly = c.personalData.every((p) => p.kind === 'role or privilege');
  const what = password ? 'a password or password hash and other data' : privilegeOnly ? 'role or privilege data (no personal data)' : 'personal data';
  return result(meta, 'fail', `Anyone holding ${c.cookie} can read ${what} in it, since it is signed but not encrypted: ${fields}.`, {
    cookie: c.cookie,
    severity: password ? 'high' : privilegeOnly ? 'low' : 'medium',
    evidence: [`${c.description}; readable fields (values not shown): ${fields}.`],
  });
}

function check(ev: Evidence): CheckResult[] {
  const pre = tokenPrecondition(meta, ev);
  if ('early' in pre) return [pre.early];
  // Tokens from the login response body are not cookies; their lifetime is judged by jwt-expiry.
  const client = pre.cookies.filter((c) => c.clientSide && c.source === undefined);
  if (client.length === 0) {
    const formats = pre.cookies.filter((c) => c.source === undefined).map((c) => `${c.cookie}: ${c.description}`).join('; ');
    return [result(meta, 'pass', `No session cookie is in a known client-side session format (JWT, cookie-session/koa-session JSON, Flask, signed JSON, iron, Rails encrypted)${formats ? `: ${formats}` : ''}. Whether logout revokes the session is judged by logout-revocation.`)];
  }
  const out: CheckResult[] = [];
  for (const c of client) {
    out.push(stateResult(ev, c));
    if (c.personalData.length > 0) out.push(personalResult(c));
  }
  return out;
}

export default { meta, check } satisfies Rule;
