/**
 * The token rules on evidence: verdicts, severities, what is shown and what is masked, and the
 * entropy estimate on the generators real frameworks use versus deliberately weak ones.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Evidence, TokenCookieEvidence } from '../../src/evidence/types.js';
import { RULES } from '../../src/rules/index.js';
import type { CheckResult } from '../../src/rules/types.js';
import { analyseIds } from '../../src/tokens/entropy.js';
import { buildEvidence, entropyOk, logoutOk, oracle, POLICY, tokensOk } from '../fixtures/evidence.js';

function run(id: string, ev: Evidence, policy = POLICY): CheckResult[] {
  const rule = RULES.find((r) => r.meta.id === id);
  if (!rule) throw new Error(id);
  return rule.check(ev, policy);
}
const one = (id: string, ev: Evidence, policy = POLICY): CheckResult => {
  const r = run(id, ev, policy);
  expect(r).toHaveLength(1);
  return r[0] as CheckResult;
};
const withTokens = (c: Partial<TokenCookieEvidence>, extra: Parameters<typeof buildEvidence>[0] = {}): Evidence => buildEvidence({ tokens: tokensOk([c]), ...extra });

const NOW = 1_750_000_000;
const jwtCookie = (claims: { exp?: number; iat?: number }): Partial<TokenCookieEvidence> => ({
  cookie: 'token',
  format: 'jwt',
  description: 'JSON Web Token (alg HS256)',
  clientSide: true,
  jwt: { alg: 'HS256', claims: Object.keys(claims), observedAt: NOW, ...claims },
});

describe('old evidence without token analysis', () => {
  it.each(['weak-secret', 'jwt-alg-none', 'jwt-expiry', 'client-side-session', 'token-entropy'])('%s is skipped, not an error', (id) => {
    const r = one(id, buildEvidence({ tokens: null, entropy: null }));
    expect(r.status).toBe('skipped');
    expect(r.message).toContain('run the audit again');
  });
});

describe('weak-secret', () => {
  const ws = { algorithm: 'HMAC-SHA256', tried: 1, ms: 0, builtIn: 29_000, wordlist: 0 };
  it('a built-in default on a signed session ID: high, and the secret is named', () => {
    const r = one('weak-secret', withTokens({ cookie: 'connect.sid', format: 'express-session', description: 'express-session signed session ID', weakSecret: { ...ws, found: { source: 'built-in', secret: 'keyboard cat', shown: true } } }));
    expect(r).toMatchObject({ status: 'fail', severity: 'high', cookie: 'connect.sid' });
    expect(r.message).toContain('"keyboard cat"');
    expect(r.message).toContain('--prove');
  });
  it('on a cookie that carries the session state: critical (forge any user)', () => {
    const r = one('weak-secret', withTokens({ ...jwtCookie({}), weakSecret: { ...ws, found: { source: 'built-in', secret: 'secret', shown: true } } }));
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
  });
  it('a --wordlist secret is reported masked', () => {
    const r = one('weak-secret', withTokens({ ...jwtCookie({}), weakSecret: { ...ws, wordlist: 5, found: { source: 'wordlist', secret: 'Corp…', shown: false } } }));
    expect(r.message).toContain('Corp… (from --wordlist, masked');
  });
  it('a proof whose control was also accepted says the server does not verify at all', () => {
    const proof = { status: 'ok' as const, data: { forged: 'x', accepted: oracle(true, 40), control: oracle(true, 41) } };
    const r = one('weak-secret', withTokens({ ...jwtCookie({}), weakSecret: { ...ws, found: { source: 'built-in', secret: 'secret', shown: true }, proof } }));
    expect(r.message).toContain('does not seem to verify signatures at all');
    expect(r.exchangeIds).toEqual([40, 41]);
  });
  it('not found: pass, with the number of candidates', () => {
    const r = one('weak-secret', withTokens({ ...jwtCookie({}), weakSecret: { ...ws, tried: 29_000 } }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('29,000');
  });
});

describe('jwt-alg-none', () => {
  const variants = (accepted: string[]) => ['none', 'None', 'NONE'].map((alg, i) => ({ alg, observation: oracle(accepted.includes(alg), 50 + i) }));
  it('fails (critical) when one variant is accepted', () => {
    const r = one('jwt-alg-none', withTokens({ ...jwtCookie({}), algNone: { status: 'ok', data: { control: oracle(false, 49), variants: variants(['None']) } } }));
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(r.message).toContain('"None"');
  });
  it('passes when all are refused', () => {
    expect(one('jwt-alg-none', withTokens({ ...jwtCookie({}), algNone: { status: 'ok', data: { control: oracle(false, 49), variants: variants([]) } } })).status).toBe('pass');
  });
  it('a server that issues unsigned session JWTs itself fails without any extra request', () => {
    const r = one('jwt-alg-none', withTokens({ ...jwtCookie({}), jwt: { alg: 'none', claims: ['sub'], observedAt: NOW }, algNone: { status: 'skipped', reason: 'the JWT in token has no signature to alter' } }));
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(r.message).toContain('unsigned JWT');
  });
    it('a server accepting a broken signature fails on the control', () => {
    const r = one('jwt-alg-none', withTokens({ ...jwtCookie({}), algNone: { status: 'ok', data: { control: oracle(true, 49), variants: variants(['none', 'None', 'NONE']) } } }));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('does not verify the JWT signature at all');
  });
});

describe('jwt-expiry', () => {
  it('no exp: fail', () => {
    expect(one('jwt-expiry', withTokens(jwtCookie({ iat: NOW }))).status).toBe('fail');
  });
  it('exp − iat of 30 days against a 24h policy: fail, lifetime reported', () => {
    const r = one('jwt-expiry', withTokens(jwtCookie({ iat: NOW, exp: NOW + 30 * 86400 })));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('30d');
  });
  it('1h: pass; without iat the lifetime counts from when the audit saw it', () => {
    expect(one('jwt-expiry', withTokens(jwtCookie({ iat: NOW, exp: NOW + 3600 }))).status).toBe('pass');
    const r = one('jwt-expiry', withTokens(jwtCookie({ exp: NOW + 2 * 86400 })));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('no iat');
  });
  it('exp in milliseconds (Date.now() + 15 minutes): fail, and says so instead of a lifetime of 57,000 years', () => {
    const r = one('jwt-expiry', withTokens(jwtCookie({ iat: NOW, exp: NOW * 1000 + 900_000 })));
    expect(r.status).toBe('fail');
    expect(r.message).toContain('milliseconds instead of seconds');
  });
});

describe('client-side-session', () => {
  const cs: Partial<TokenCookieEvidence> = { cookie: 'session', format: 'keygrip', description: 'keygrip-signed cookie', clientSide: true };
  it('state in the cookie and a copy works after logout: fail', () => {
    const r = one('client-side-session', withTokens(cs, { logout: logoutOk({ replay: oracle(true, 22) }) }));
    expect(r.status).toBe('fail');
  });
  it('state in the cookie but the replay after logout is refused: the server revokes, pass', () => {
    const r = one('client-side-session', withTokens(cs, { logout: logoutOk({ replay: oracle(false, 22) }) }));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('does revoke');
  });
  it('no logout configured: cannot decide, skipped', () => {
    expect(one('client-side-session', withTokens(cs, { logout: { status: 'skipped', reason: 'no logout endpoint configured' } })).status).toBe('skipped');
  });
  it('personal data readable in a signed cookie is a finding of its own; a password hash is high', () => {
    const results = run('client-side-session', withTokens({ ...cs, personalData: [{ field: 'email', kind: 'e-mail address' }, { field: 'pw', kind: 'password or password hash' }] }));
    expect(results.map((r) => [r.status, r.severity])).toEqual([
      ['pass', 'medium'],
      ['fail', 'high'],
    ]);
    expect(results[1]?.message).toContain('email (e-mail address)');
  });
  it('only roles or OAuth scopes readable: a low finding that says it is no personal data; an e-mail beside them is medium', () => {
    const roles = run('client-side-session', withTokens({ ...cs, personalData: [{ field: 'role', kind: 'role or privilege' }, { field: 'scope', kind: 'role or privilege' }] }));
    expect(roles[1]).toMatchObject({ status: 'fail', severity: 'low' });
    expect(roles[1]?.message).toContain('role or privilege data (no personal data)');
    const mixed = run('client-side-session', withTokens({ ...cs, personalData: [{ field: 'role', kind: 'role or privilege' }, { field: 'email', kind: 'e-mail address' }] }));
    expect(mixed[1]).toMatchObject({ status: 'fail', severity: 'medium' });
  });
});

describe('token-entropy on real generators', () => {
  const sample = (gen: () => string, n = 20): string[] => Array.from({ length: n }, gen);
  const judge = (ids: string[]): CheckResult =>
    one('token-entropy', buildEvidence({ entropy: entropyOk({ collected: ids.length, analysis: analyseIds(ids) }) }));
  const pick = (alphabet: string, len: number) => (): string => Array.from({ length: len }, () => alphabet[randomInt(alphabet.length)]).join('');

  it.each([
    ['express-session (24 random bytes, base64url)', () => randomBytes(24).toString('base64url')],
    ['PHP default (26 chars of [0-9a-v], 130 bits)', pick('0123456789abcdefghijklmnopqrstuv', 26)],
    ['Django (32 chars of [a-z0-9])', pick('0123456789abcdefghijklmnopqrstuvwxyz', 32)],
    ['Java (32 hex, 128 bits exactly)', () => randomBytes(16).toString('hex').toUpperCase()],
    ['crypto.randomBytes(32) hex', () => randomBytes(32).toString('hex')],
  ])('%s passes', (_name, gen) => {
    // Several independent samples: a good generator must never be flagged by chance.
    for (let i = 0; i < 20; i += 1) expect(judge(sample(gen)).status).toBe('pass');
  });

  it('a counter is flagged high', () => {
    let c = 100_000;
    const r = judge(sample(() => String((c += 1)).padStart(32, '0')));
    expect(r).toMatchObject({ status: 'fail', severity: 'high' });
  });
  it('a millisecond timestamp is flagged high', () => {
    let t = Date.now();
    expect(judge(sample(() => (t += randomInt(1, 50)).toString(16)))).toMatchObject({ status: 'fail', severity: 'high' });
  });
  it('32-bit random IDs are flagged high', () => {
    expect(judge(sample(() => randomBytes(4).toString('hex')))).toMatchObject({ status: 'fail', severity: 'high' });
  });
  it('a UUIDv4-like 122 random bits is below 128: medium', () => {
    const r = judge(sample(() => `${randomBytes(15).toString('hex')}4${randomBytes(1).toString('hex')[0]}`));
    expect(r).toMatchObject({ status: 'fail', severity: 'medium' });
  });
  it('a duplicate among fresh IDs is high', () => {
    const ids = sample(() => randomBytes(16).toString('hex'));
    ids[5] = ids[2] as string;
    expect(judge(ids)).toMatchObject({ status: 'fail', severity: 'high' });
  });
  it('too few samples: skipped, not a guess', () => {
    expect(judge(sample(() => randomBytes(4).toString('hex'), 5)).status).toBe('skipped');
  });
  it('one failed FIPS test on a single window is not counted; two, or a confirming second window, are', () => {
    const good = analyseIds(sample(() => randomBytes(32).toString('hex'), 100));
    const fips = good.fips as NonNullable<typeof good.fips>;
    const oneFailed = { ...fips, longRun: { longest: 30, pass: false } };
    const withFips = (f: Partial<typeof good>) => one('token-entropy', buildEvidence({ entropy: entropyOk({ collected: 100, analysis: { ...good, ...f } }) }));
    const unconfirmed = withFips({ fips: oneFailed });
    expect(unconfirmed.status).toBe('pass');
    expect(unconfirmed.evidence.join(' ')).toContain('not counted');
    expect(withFips({ fips: { ...oneFailed, monobit: { ones: 11000, pass: false } } }).status).toBe('fail');
    expect(withFips({ fips: oneFailed, fipsConfirm: oneFailed }).status).toBe('fail');
    expect(withFips({ fips: oneFailed, fipsConfirm: fips }).status).toBe('pass');
  });

  it('constant separators do not widen the alphabet: a UUID reads as hex (122 bits) at 20 samples as at 200', () => {
    for (const n of [20, 200]) {
      const a = analyseIds(sample(() => randomUUID(), n));
      expect(a.alphabet.name).toBe('hex (lower case)');
      expect(a.estimatedBits).toBe(122);
    }
  });

  it('a timestamp next to 192 random bits (old koa-session external keys): the digits are marked down, not fed to the bit tests → pass', () => {
    const t0 = Date.now();
    let i = 0;
    const ids = sample(() => `${t0 + (i += 7)}-${randomBytes(24).toString('base64url')}`, 200);
    const a = analyseIds(ids);
    expect(a.fips).toBeDefined();
    expect(judge(ids).status).toBe('pass');
  });

  it('FIPS 140-2 runs once the sample holds 20,000 bits, and catches a biased generator', () => {
    const good = analyseIds(sample(() => randomBytes(32).toString('hex'), 100));
    expect(good.fips?.monobit.pass && good.fips.poker.pass && good.fips.runs.pass && good.fips.longRun.pass).toBe(true);
    // Hex digits from 0-b only: every position still varies, but the bits are biased.
    const biasedIds = sample(pick('0123456789ab', 64), 100);
    const biased = analyseIds(biasedIds);
    expect(biased.fips && biased.fips.monobit.pass && biased.fips.poker.pass).toBe(false);
    // Every position varies, so only the bit tests can tell: the rule fails it on them.
    expect(biased.estimatedBits).toBe(256);
    const r = judge(biasedIds);
    expect(r.status).toBe('fail');
    expect(r.message).toContain('FIPS 140-2');
  });
});
