import type { Evidence } from '../evidence/types.js';
import { cookieOf, describeObservation, sentence, tokenName, tokenPrecondition } from './token-shared.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'jwt-alg-none',
  name: 'JwtAlgNoneAccepted',
  title: 'Server accepts an unsigned JWT (alg: none)',
  severity: 'critical',
  why: 'A JWT whose header says alg "none" carries no signature. A server that accepts it lets anyone write their own token, for any user and any role, without a key (CVE-2015-9235 and its many successors).',
  fix: 'Verify every JWT with an explicit allow-list of algorithms (e.g. jsonwebtoken `verify(token, key, { algorithms: ["HS256"] })`, jose `jwtVerify(token, key, { algorithms: [...] })`) and reject tokens whose signature is empty or does not verify.',
  cwe: [347, 327],
  asvs: ['5.0: V9.1.1', '5.0: V9.1.2', '4.0.3: 3.5.3'],
  wstg: ['WSTG-SESS-10'],
  requires: ['session', 'tokens'],
};

function check(ev: Evidence): CheckResult[] {
  const pre = tokenPrecondition(meta, ev);
  if ('early' in pre) return [pre.early];
  const jwts = pre.cookies.filter((c) => c.format === 'jwt');
  if (jwts.length === 0) return [result(meta, 'skipped', 'No session cookie holds a JWT.', { notApplicable: true })];
  return jwts.map((c) => {
    if (c.source === undefined && c.essential && c.jwt?.alg.toLowerCase() === 'none') {
      // The server itself issued an unsigned token, and the logged-in check passed with it.
      return result(meta, 'fail', `The server issued ${tokenName(c)} as an unsigned JWT (alg "${c.jwt.alg}"), and it logged the browser in: anyone can write such a token for any user.`, {
        ...cookieOf(c),
        evidence: [`JWT header alg "${c.jwt.alg}", claims: ${c.jwt.claims.join(', ') || '(none)'}; the logged-in check after login passed with this cookie, and failed without it.`],
        exchangeIds: [ev.oracle.afterLogin.exchangeId],
      });
    }
    const probe = c.algNone;
    if (!probe) return result(meta, 'skipped', `The alg:none test did not run on ${tokenName(c)}.`, cookieOf(c));
    if (probe.status === 'skipped') return result(meta, 'skipped', `${probe.reason}.`, cookieOf(c));
    if (probe.status === 'error') return result(meta, 'error', `The alg:none test failed: ${probe.error}`, cookieOf(c));
    const d = probe.data;
    const lines = [
      `The unmodified token passed the logged-in check at login; control, the token with its signature altered: ${describeObservation(d.control)}.`,
      ...d.variants.map((v) => `alg "${v.alg}", empty signature: ${describeObservation(v.observation)}.`),
    ];
    const ids = [d.control.exchangeId, ...d.variants.map((v) => v.observation.exchangeId)];
    if (d.control.loggedIn) {
      return result(meta, 'fail', `The server accepted ${tokenName(c)} with an altered signature: it does not verify the JWT signature at all, so unsigned and alg:none tokens are accepted as well.`, { ...cookieOf(c), evidence: lines, exchangeIds: ids });
    }
    const accepted = d.variants.filter((v) => v.observation.loggedIn).map((v) => `"${v.alg}"`);
    if (accepted.length > 0) {
      return result(meta, 'fail', `The server accepted ${tokenName(c)} re-encoded with alg ${accepted.join(', ')} and no signature: anyone can forge a session token.`, { ...cookieOf(c), evidence: lines, exchangeIds: ids });
    }
    return result(meta, 'pass', `The server refused ${tokenName(c)} re-encoded with alg none, None and NONE and no signature.`, { ...cookieOf(c), evidence: lines, exchangeIds: ids });
  });
}

export default { meta, check } satisfies Rule;
