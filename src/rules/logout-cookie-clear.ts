import type { Evidence } from '../evidence/types.js';
import { logoutPrecondition } from './logout-shared.js';
import { EXPRESS_SESSION_DESTROY } from './snippets.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'logout-cookie-clear',
  name: 'SessionCookieNotClearedAtLogout',
  title: 'Logout does not remove the session cookie from the browser',
  severity: 'low',
  why: 'When the logout response does not expire the session cookie, the browser keeps sending the old token. If the server-side session ever survives (a store that fails to delete, a replicated cache), the browser is still logged in, and the token stays exposed in the browser profile.',
  fix: 'In the logout response, expire the session cookie with the same Path and Domain it was set with (Max-Age=0 or an Expires date in the past).',
  snippets: { 'express-session': EXPRESS_SESSION_DESTROY },
  cwe: [613],
  asvs: ['5.0: V7.4.1'],
  wstg: ['WSTG-SESS-06'],
  requires: ['session', 'logout'],
};

function check(ev: Evidence): CheckResult[] {
  const pre = logoutPrecondition(meta, ev);
  if ('early' in pre) return [pre.early];
  const d = pre.data;
  return d.cookieActions.map((a) => {
    const evidence = a.line ? [`Logout Set-Cookie: ${a.line}`] : [`The logout response carried no Set-Cookie for ${a.name}.`];
    if (a.action === 'kept') {
      const mismatch = a.deletionIgnored
        ? ' It did send a deletion, but with a Path or Domain other than the ones the cookie was set with, so the browser kept the cookie.'
        : '';
      return result(meta, 'fail', `The logout response left ${a.name} in the browser unchanged.${mismatch}`, { cookie: a.name, evidence, exchangeIds: d.logoutExchangeIds });
    }
    return result(meta, 'pass', `The logout response ${a.action === 'deleted' ? 'expired' : 'replaced'} ${a.name} in the browser.`, { cookie: a.name, evidence, exchangeIds: d.logoutExchangeIds });
  });
}

export default { meta, check } satisfies Rule;
