import type { Evidence } from '../evidence/types.js';
import { probeData } from './lifetime-shared.js';
import { EXPRESS_SESSION_PASSWORD_CHANGE } from './snippets.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'password-change-revocation',
  name: 'SessionsSurvivePasswordChange',
  title: 'Other sessions stay valid after a password change',
  severity: 'high',
  why: 'Changing the password is what a user does when they fear someone else is in their account. If the attacker\'s session (or a stolen cookie) keeps working afterwards, the change locks nobody out.',
  fix: 'When the password changes (or is reset), end every other session of that user on the server: delete them from the store, or keep a per-user session version / password-changed timestamp and reject sessions older than it. Offer the user a choice to keep the current device logged in.',
  snippets: { 'express-session': EXPRESS_SESSION_PASSWORD_CHANGE },
  cwe: [613],
  asvs: ['5.0: V7.4.3', '4.0.3: 3.3.3'],
  wstg: ['WSTG-SESS-06'],
  requires: ['session', 'passwordChange'],
};

function check(ev: Evidence): CheckResult[] {
  const p = probeData(meta, ev.probes.passwordChange, 'password-change');
  if ('early' in p) return [p.early];
  const d = p.data;
  const ids = [...d.changeExchangeIds, ...(d.aReplay ? [d.aReplay.exchangeId] : [])];
  if (d.changeStatus >= 400) return [result(meta, 'error', `The password-change request answered ${d.changeStatus}; check passwordChange (url, method, type, body, page for a CSRF token).`, { exchangeIds: d.changeExchangeIds })];
  if (d.oldPasswordLogin.loggedIn || !d.newPasswordLogin.loggedIn) {
    return [
      result(
        meta,
        'error',
        `The password change did not take effect (answered ${d.changeStatus}; login with the old password: ${d.oldPasswordLogin.loggedIn ? 'worked' : 'failed'}, with the new one: ${d.newPasswordLogin.loggedIn ? 'worked' : 'failed'}), so nothing can be concluded. Check passwordChange.body field names.`,
        { exchangeIds: [...d.changeExchangeIds, d.oldPasswordLogin.exchangeId, d.newPasswordLogin.exchangeId] },
      ),
    ];
  }
  if (!d.aReplay) return [result(meta, 'error', 'The replay of session A was not recorded.')];
  const evidence = [
    `Session B changed the password (answered ${d.changeStatus}); afterwards the old password no longer logged in and the new one did.`,
    `A copy of session A's cookies, replayed after the change: ${d.aReplay.why} → ${d.aReplay.loggedIn ? 'still logged in' : 'logged out'}.`,
    `The original password was restored and proven by a fresh login (attempt ${d.restoreAttempts}).`,
  ];
  if (d.aReplay.loggedIn) return [result(meta, 'fail', 'After the password was changed in another session, session A was still logged in: a password change does not end the user\'s other sessions.', { evidence, exchangeIds: ids })];
  return [result(meta, 'pass', 'The password change ended the user\'s other session.', { evidence, exchangeIds: ids })];
}

export default { meta, check } satisfies Rule;
