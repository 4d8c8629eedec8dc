/** The part of the logout verdicts that both logout rules share: can the evidence decide at all? */
import type { Evidence, LogoutEvidence } from '../evidence/types.js';
import { result, type CheckResult, type RuleMeta } from './types.js';

export function logoutPrecondition(meta: RuleMeta, ev: Evidence): { data: LogoutEvidence } | { early: CheckResult } {
  const probe = ev.probes.logout;
  if (probe.status === 'skipped') return { early: result(meta, 'skipped', probe.reason) };
  if (probe.status === 'error') return { early: result(meta, 'error', `The logout probe failed: ${probe.error}`) };
  const d = probe.data;
  if (!d.beforeLogout.loggedIn) {
    return { early: result(meta, 'skipped', `The victim was no longer logged in right before logout (${d.beforeLogout.why}), so logout could not be tested.`, { exchangeIds: [d.beforeLogout.exchangeId] }) };
  }
  if (d.logoutStatus !== undefined && d.logoutStatus >= 400) {
    return {
      early: result(meta, 'error', `The logout request answered ${d.logoutStatus}, so it is unknown whether logout happened. Check --logout, the method (logout.method) and whether it needs a CSRF token (logout.page).`, { exchangeIds: d.logoutExchangeIds }),
    };
  }
  if (d.victimAfter.loggedIn) {
    return {
      early: result(
        meta,
        'skipped',
        `After the logout request the logging-out browser itself was still logged in (${d.victimAfter.why}), so the logout did not take effect: either --logout points at the wrong URL or method, or logout does nothing at all. Check it by hand.`,
        { exchangeIds: [...d.logoutExchangeIds, d.victimAfter.exchangeId] },
      ),
    };
  }
  return { data: d };
}
