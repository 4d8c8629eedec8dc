/**
 * The "am I logged in?" oracle: one request to authCheck.url, judged against authCheck.expect.
 * Redirects are not followed by default, since a redirect to the login page is the usual answer
 * to a logged-out browser.
 */
import type { AuthCheckConfig } from '../config/schema.js';
import type { OracleObservation } from '../evidence/types.js';
import type { Actor } from '../http/actor.js';

export async function checkAuth(actor: Actor, authCheck: AuthCheckConfig, url: URL, purpose: string): Promise<OracleObservation> {
  const res = await actor.send(purpose, { method: authCheck.method, url, followRedirects: authCheck.followRedirects });
  const expected = Array.isArray(authCheck.expect.status) ? authCheck.expect.status : [authCheck.expect.status];
  const reasons: string[] = [];
  let loggedIn = true;
  if (!expected.includes(res.status)) {
    loggedIn = false;
    reasons.push(`status ${res.status}, not ${expected.join(' or ')}`);
  } else reasons.push(`status ${res.status}`);
  const { bodyIncludes, bodyExcludes } = authCheck.expect;
  if (bodyIncludes !== undefined) {
    const has = res.body.includes(bodyIncludes);
    if (!has) loggedIn = false;
    reasons.push(has ? `body includes ${JSON.stringify(bodyIncludes)}` : `body lacks ${JSON.stringify(bodyIncludes)}`);
  }
  if (bodyExcludes !== undefined) {
    const has = res.body.includes(bodyExcludes);
    if (has) loggedIn = false;
    reasons.push(has ? `body includes ${JSON.stringify(bodyExcludes)}` : `body lacks ${JSON.stringify(bodyExcludes)}`);
  }
  return { exchangeId: res.exchangeIds[res.exchangeIds.length - 1] as number, status: res.status, loggedIn, why: reasons.join(', ') };
}
