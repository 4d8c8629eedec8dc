import type { Policy } from '../config/schema.js';
import type { Evidence } from '../evidence/types.js';
import { cookieOf, sentence, tokenName, tokenPrecondition } from './token-shared.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'jwt-expiry',
  name: 'JwtWithoutBoundedExpiry',
  title: 'JWT session token without an expiry, or valid longer than the policy allows',
  severity: 'medium',
  why: 'A self-contained token is valid until its exp claim says otherwise, whatever happens on the server: without exp, or with a far-off one, a stolen token works for as long as the signing key lives. The expiry is the only bound on a JWT the server does not track.',
  fix: 'Issue session JWTs with an exp no later than your maximum session lifetime (policy.maxLifetime; hours, not months), verify exp on every request, and renew short-lived tokens instead of issuing long-lived ones.',
  cwe: [613],
  asvs: ['5.0: V7.3.2', '4.0.3: 3.3.2'],
  wstg: ['WSTG-SESS-10', 'WSTG-SESS-07'],
  requires: ['session', 'tokens'],
};

function duration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds >= 86400) return `${(seconds / 86400).toFixed(1)}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

const iso = (s: number): string => {
  const d = new Date(s * 1000);
  return Number.isNaN(d.getTime()) ? String(s) : d.toISOString();
};

function check(ev: Evidence, policy: Policy): CheckResult[] {
  const pre = tokenPrecondition(meta, ev);
  if ('early' in pre) return [pre.early];
  const jwts = pre.cookies.filter((c) => c.jwt);
  if (jwts.length === 0) return [result(meta, 'skipped', 'No session cookie holds a JWT.', { notApplicable: true })];
  const max = Math.floor(policy.maxLifetime / 1000);
  return jwts.map((c) => {
    const j = c.jwt as NonNullable<typeof c.jwt>;
    const evidence = [`alg ${j.alg}${j.typ ? `, typ ${j.typ}` : ''}; claims: ${j.claims.join(', ') || '(none)'}.`];
    if (j.iat !== undefined) evidence.push(`iat ${j.iat} (${iso(j.iat)}).`);
    if (j.exp === undefined) {
      return result(meta, 'fail', `${sentence(tokenName(c))} has no exp claim: it never expires, so a stolen copy works for as long as the signing key is unchanged.`, { ...cookieOf(c), evidence });
    }
    evidence.push(`exp ${j.exp} (${iso(j.exp)}).`);
    const from = j.iat ?? j.observedAt;
    const lifetime = j.exp - from;
    const basis = j.iat !== undefined ? 'exp − iat' : 'exp − the time the audit saw the token (no iat)';
    evidence.push(`Lifetime (${basis}): ${duration(lifetime)}; policy.maxLifetime: ${duration(max)}.`);
    if (lifetime > max) {
      // exp written as Date.now() (milliseconds) instead of seconds: every RFC 7519 verifier reads
      // it as a date tens of thousands of years away, so the token never expires in practice.
      if (j.exp > 1e11 && from < 1e11) {
        evidence.push('exp is about 1,000 times the current time in seconds: it was written in milliseconds (Date.now()), but RFC 7519 NumericDate is seconds.');
        return result(meta, 'fail', `${sentence(tokenName(c))} has an exp in milliseconds instead of seconds: JWT libraries read it as a date tens of thousands of years away, so the token never expires unless the server checks exp with its own millisecond code.`, { ...cookieOf(c), evidence });
      }
      return result(meta, 'fail', `${sentence(tokenName(c))} is valid for ${duration(lifetime)} (${basis}), longer than policy.maxLifetime (${duration(max)}).`, { ...cookieOf(c), evidence });
    }
    return result(meta, 'pass', `${sentence(tokenName(c))} expires ${duration(lifetime)} after it was issued, within policy.maxLifetime (${duration(max)}).`, { ...cookieOf(c), evidence });
  });
}

export default { meta, check } satisfies Rule;
