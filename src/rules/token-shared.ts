/** What the token rules share: the token evidence, or why a rule cannot judge. */
import type { Evidence, TokenCookieEvidence } from '../evidence/types.js';
import { result, type CheckResult, type RuleMeta } from './types.js';

export function tokenPrecondition(meta: RuleMeta, ev: Evidence): { cookies: TokenCookieEvidence[] } | { early: CheckResult } {
  const probe = ev.probes.tokens;
  if (!probe) return { early: result(meta, 'skipped', 'This evidence was gathered by a version of session-audit without token analysis; run the audit again.') };
  if (probe.status === 'skipped') return { early: result(meta, 'skipped', probe.reason) };
  if (probe.status === 'error') return { early: result(meta, 'error', `The token analysis failed: ${probe.error}`) };
  return { cookies: probe.data.cookies };
}

export function describeObservation(o: { why: string; loggedIn: boolean }): string {
  return `${o.why} → ${o.loggedIn ? 'logged in' : 'not logged in'}`;
}

/** How a message names the token: the cookie, or the login response's field. */
export function tokenName(c: Pick<TokenCookieEvidence, 'cookie' | 'source'>): string {
  return c.source === 'login-response' ? `the JWT in the login response's "${c.cookie}" field` : `session cookie ${c.cookie}`;
}

/** The `cookie` of a result: only for tokens that are cookies. */
export function cookieOf(c: Pick<TokenCookieEvidence, 'cookie' | 'source'>): { cookie?: string } {
  return c.source === 'login-response' ? {} : { cookie: c.cookie };
}

export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
