/**
 * Session fixation (WSTG-SESS-03): does the session ID an anonymous visitor holds survive login?
 * A survivor is only a candidate; it is confirmed when a second browser that never logged in,
 * holding nothing but the victim's pre-login cookies, passes the logged-in check.
 */
import { checkAuth } from '../auth/oracle.js';
import type { FixationEvidence, ProbeOutcome } from '../evidence/types.js';
import { Actor } from '../http/actor.js';
import { errorMessage, newActor, type ProbeContext } from './context.js';
import type { Baseline } from './session.js';

export async function probeFixation(ctx: ProbeContext, base: Baseline): Promise<ProbeOutcome<FixationEvidence>> {
  try {
    const before = new Map(base.session.beforeLogin.map((c) => [c.name, c.value.fp]));
    const data: FixationEvidence = { unchanged: [], absentBeforeLogin: [], rotated: [] };
    for (const c of base.session.cookies) {
      const prev = before.get(c.name);
      if (prev === undefined) data.absentBeforeLogin.push(c.name);
      else if (prev === c.value.fp) data.unchanged.push(c.name);
      else data.rotated.push(c.name);
    }
    if (data.unchanged.length > 0) {
      ctx.progress('Session fixation: replaying the pre-login cookies from a second browser');
      // The attacker holds exactly what the victim's browser held before login: the fixed ID.
      const attacker: Actor = newActor(ctx, 'attacker', base.login.beforeSubmit);
      data.replay = await checkAuth(attacker, ctx.config.authCheck, ctx.authCheckUrl, 'fixation: attacker replays pre-login cookies');
    }
    return { status: 'ok', data };
  } catch (err) {
    return { status: 'error', error: errorMessage(err) };
  }
}
