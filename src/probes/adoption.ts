/**
 * Session adoption (a strict-mode test, WSTG-SESS-03): the attacker invents a session ID, plants
 * it in a browser before login, and waits. The server fails when it keeps the invented ID through
 * login and a browser holding only that ID is then logged in.
 */
import { randomInt } from 'node:crypto';
import { login, logout } from '../auth/login.js';
import { checkAuth } from '../auth/oracle.js';
import type { AdoptionEvidence, ProbeOutcome, SessionCookieEvidence } from '../evidence/types.js';
import { errorMessage, newActor, type ProbeContext } from './context.js';
import type { Baseline } from './session.js';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';

/** A value of the same shape as a real one: each letter or digit replaced by a random one of its class; %XX and punctuation kept. */
export function inventLike(real: string): string {
  let out = '';
  for (let i = 0; i < real.length; i += 1) {
    const ch = real[i] as string;
    if (ch === '%' && /^[0-9a-fA-F]{2}$/.test(real.slice(i + 1, i + 3))) {
      out += real.slice(i, i + 3);
      i += 2;
    } else if (LOWER.includes(ch)) out += LOWER[randomInt(26)];
    else if (UPPER.includes(ch)) out += UPPER[randomInt(26)];
    else if (DIGITS.includes(ch)) out += DIGITS[randomInt(10)];
    else out += ch;
  }
  return out === real ? `${real}0` : out;
}

export async function probeAdoption(ctx: ProbeContext, base: Baseline): Promise<ProbeOutcome<AdoptionEvidence>> {
  try {
    ctx.progress('Session adoption: logging in with an attacker-chosen session ID');
    const url = ctx.authCheckUrl;
    const device = newActor(ctx, 'second-device');
    const planted: Array<{ name: string; value: string; like: SessionCookieEvidence['setCookie'] }> = [];
    for (const c of base.session.cookies) {
      // The values the victim held right after login: the logout probe may have deleted them since.
      const real = base.sessionValues.get(c.name);
      if (real === undefined || real.length === 0) continue;
      const value = inventLike(real);
      planted.push({ name: c.name, value, like: c.setCookie });
      device.plant(c.name, value, url, c.setCookie);
    }
    if (planted.length === 0) return { status: 'skipped', reason: 'the session cookie has no value to imitate' };
    const held = device.cookiesFor(url);
    const refused = planted.filter((p) => !held.some((h) => h.name === p.name && h.value === p.value)).map((p) => p.name);
    if (refused.length > 0) {
      return { status: 'skipped', reason: `the simulated browser would not store a planted ${refused.join(', ')} cookie, so adoption could not be tested` };
    }
    const data: AdoptionEvidence = {
      planted: planted.map((p) => ({ name: p.name, value: ctx.http.redactor.ref(p.value) })),
      kept: [],
    };
    const result = await login(device, ctx.loginTarget, 'adoption: login with planted ID');
    data.loginStatus = result.response.status;
    data.exchangeIds = [...result.exchangeIds];
    const after = device.cookiesFor(url);
    data.kept = planted.filter((p) => after.some((a) => a.name === p.name && a.value === p.value)).map((p) => p.name);
    const deviceCheck = await checkAuth(device, ctx.config.authCheck, url, 'adoption: second device after login');
    if (!deviceCheck.loggedIn) {
      return { status: 'error', error: `the second login (with the planted ID) did not log in: ${deviceCheck.why}` };
    }
    if (data.kept.length > 0) {
      const attacker = newActor(ctx, 'attacker');
      for (const p of planted) attacker.plant(p.name, p.value, url, p.like);
      data.replay = await checkAuth(attacker, ctx.config.authCheck, url, 'adoption: attacker replays the planted ID');
    }
    if (ctx.config.logout) {
      // Leave no extra logged-in session behind on the audited account.
      await logout(device, ctx.config.logout, ctx.http.target, 'cleanup: log out second device').catch(() => undefined);
    }
    return { status: 'ok', data };
  } catch (err) {
    return { status: 'error', error: errorMessage(err) };
  }
}
