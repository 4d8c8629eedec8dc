/**
 * Logout (WSTG-SESS-06, ASVS 5.0 V7.4.1): save the victim's cookies, log out, then replay the saved
 * cookies from a second browser. The victim's own state after logout is recorded too: if even the
 * victim is still logged in with an untouched cookie, the logout request did not work and no
 * verdict about revocation can be drawn.
 */
import { logout } from '../auth/login.js';
import { checkAuth } from '../auth/oracle.js';
import type { LogoutEvidence, ProbeOutcome } from '../evidence/types.js';
import { errorMessage, newActor, type ProbeContext } from './context.js';
import type { Baseline } from './session.js';

export async function probeLogout(ctx: ProbeContext, base: Baseline): Promise<ProbeOutcome<LogoutEvidence>> {
  const cfg = ctx.config.logout;
  if (!cfg) return { status: 'skipped', reason: 'no logout endpoint configured (pass --logout <path> or set "logout" in the config)' };
  try {
    ctx.progress('Logout: logging out and replaying the old cookie');
    const url = ctx.authCheckUrl;
    const beforeLogout = await checkAuth(base.victim, ctx.config.authCheck, url, 'logout: victim before logout');
    const saved = base.victim.snapshot();
    const savedValues = new Map(base.victim.cookiesFor(url).map((c) => [c.name, c.value]));
    const res = await logout(base.victim, cfg, ctx.http.target);
    const afterValues = new Map(base.victim.cookiesFor(url).map((c) => [c.name, c.value]));
    // Judged by what the browser holds afterwards: a deletion line whose Path or Domain does not
    // match the cookie deletes nothing. A deletion that worked counts as one even when a page
    // further down the redirect chain then issues a fresh cookie.
    const cookieActions: LogoutEvidence['cookieActions'] = base.session.cookies.map((c) => {
      const deletion = res.setCookies.find((s) => s.name === c.name && s.deletion);
      const last = [...res.setCookies].reverse().find((s) => s.name === c.name);
      const now = afterValues.get(c.name);
      const action = now === savedValues.get(c.name) ? 'kept' : deletion || now === undefined ? 'deleted' : 'replaced';
      const line = deletion ?? last;
      const entry: LogoutEvidence['cookieActions'][number] = line ? { name: c.name, action, line: line.line } : { name: c.name, action };
      if (action === 'kept' && deletion) entry.deletionIgnored = true;
      return entry;
    });
    // The logout endpoint's own answer, not the page it redirects to.
    const first = ctx.http.exchanges.find((e) => e.id === res.exchangeIds[0]);
    const logoutStatus = first?.status ?? res.status;
    const victimAfter = await checkAuth(base.victim, ctx.config.authCheck, url, 'logout: victim after logout');
    const replayer = newActor(ctx, 'replay', saved);
    const replay = await checkAuth(replayer, ctx.config.authCheck, url, 'logout: replay of cookies saved before logout');
    return {
      status: 'ok',
      data: { logoutExchangeIds: res.allExchangeIds, logoutStatus, beforeLogout, cookieActions, victimAfter, replay },
    };
  } catch (err) {
    return { status: 'error', error: errorMessage(err) };
  }
}
