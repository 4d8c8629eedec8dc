/** The lifetime rules on hand-built evidence: each verdict both ways, and the cases that must not be verdicts. */
import { describe, expect, it } from 'vitest';
import { jwtExp, jwtPromiseSeconds, marginFor, neededFlag } from '../../src/probes/lifetime.js';
import { sessionPromise } from '../../src/probes/timeouts.js';
import { buildReport, lifetimeOf } from '../../src/report/build.js';
import { reportSchema } from '../../src/report/schema.js';
import absoluteTimeout from '../../src/rules/absolute-timeout.js';
import expiryEnforcement from '../../src/rules/expiry-enforcement.js';
import idleTimeout from '../../src/rules/idle-timeout.js';
import passwordChangeRevocation from '../../src/rules/password-change-revocation.js';
import sessionPersistence from '../../src/rules/session-persistence.js';
import { absoluteTimeoutOk, buildEvidence, expiryOk, idleTimeoutOk, oracle, passwordChangeOk, persistenceOk, POLICY, tokensOk } from '../fixtures/evidence.js';

const statuses = (r: Array<{ status: string }>): string[] => r.map((x) => x.status);

describe('expiry-enforcement', () => {
  const busyData = (over: object) => {
    const ok = expiryOk();
    if (ok.status !== 'ok' || ok.data.busy.status !== 'ok') throw new Error('fixture');
    return { ...ok.data.busy.data, ...over };
  };

  it('passes both halves when the session ended at its promise', () => {
    expect(statuses(expiryEnforcement.check(buildEvidence()))).toEqual(['pass', 'pass']);
  });

  it('fails the idle half when a replay after the promise is still logged in', () => {
    const ev = buildEvidence({ expiry: expiryOk({ idle: { status: 'ok', data: { alive: oracle(true, 30), idleMs: 1_980_000, replay: { ...oracle(true, 31), atMs: 1_980_000 } } } }) });
    const [idle] = expiryEnforcement.check(ev);
    expect(idle?.status).toBe('fail');
    expect(idle?.message).toBe('Left idle: the server still accepted the session at least 3m after the 30m expiry it promised.');
    expect(idle?.exchangeIds).toEqual([31]);
  });

  it('a replay answered with a new session cookie (renewed from a refresh token) is skipped, not failed', () => {
    const ev = buildEvidence({ expiry: expiryOk({ idle: { status: 'ok', data: { alive: oracle(true, 30), idleMs: 1_980_000, replay: { ...oracle(true, 31), atMs: 1_980_000 }, renewed: ['__Host-sid'] } } }) });
    const [idle] = expiryEnforcement.check(ev);
    expect(idle?.status).toBe('skipped');
    expect(idle?.message).toContain('renewed the session from another cookie');
  });

  it('a replay that came before the promise proves nothing: skipped, not pass', () => {
    const ev = buildEvidence({ expiry: expiryOk({ idle: { status: 'ok', data: { alive: oracle(true, 30), idleMs: 60_000, replay: { ...oracle(true, 31), atMs: 60_000 } } } }) });
    expect(statuses(expiryEnforcement.check(ev))[0]).toBe('skipped');
  });

  it('busy: a fixed Expires never re-issued, still valid after it → fail naming the sliding store', () => {
    const ev = buildEvidence({ expiry: expiryOk({ busy: { status: 'ok', data: busyData({ replay: { ...oracle(true, 33), atMs: 1_980_000 } }) } }) });
    const [, busy] = expiryEnforcement.check(ev);
    expect(busy?.status).toBe('fail');
    expect(busy?.message).toContain('never re-issued: the store slides its own expiry');
  });

  it('busy: a re-issued promise followed, the session ended after the latest one → pass; still valid after it → fail', () => {
    const reissued = [{ atMs: 450_000, cookie: '__Host-sid', sameValue: true, seconds: 1800 }];
    const ended = buildEvidence({ expiry: expiryOk({ busy: { status: 'ok', data: busyData({ reissued, latestPromiseAtMs: 2_250_000, replay: { ...oracle(false, 33), atMs: 2_430_000 } }) } }) });
    expect(expiryEnforcement.check(ended)[1]?.status).toBe('pass');
    const alive = buildEvidence({ expiry: expiryOk({ busy: { status: 'ok', data: busyData({ reissued, latestPromiseAtMs: 2_250_000, replay: { ...oracle(true, 33), atMs: 2_430_000 } }) } }) });
    expect(expiryEnforcement.check(alive)[1]?.message).toBe('Kept busy: the session still worked 3m after the latest expiry the server promised.');
  });

  it('busy: the server kept moving its promise past the budget → skipped (that is an idle timeout, not a broken promise)', () => {
    const ev = buildEvidence({ expiry: expiryOk({ busy: { status: 'ok', data: busyData({ reissued: [{ atMs: 1_900_000, cookie: '__Host-sid', sameValue: true, seconds: 1800 }], latestPromiseAtMs: 3_700_000, replay: { ...oracle(true, 33), atMs: 3_000_000 } }) } }) });
    expect(expiryEnforcement.check(ev)[1]?.status).toBe('skipped');
  });

  it('busy: a final replay the budget cut short (within the margin after the latest promise) is skipped, not failed', () => {
    const ev = buildEvidence({ expiry: expiryOk({ busy: { status: 'ok', data: busyData({ latestPromiseAtMs: 1_800_000, marginMs: 180_000, replay: { ...oracle(true, 33), atMs: 1_850_000 } }) } }) });
    expect(expiryEnforcement.check(ev)[1]?.status).toBe('skipped');
  });

  it('skipped and error outcomes carry their reason; evidence saved before the probe existed is skipped', () => {
    expect(expiryEnforcement.check(buildEvidence({ expiry: { status: 'skipped', reason: 'no promise' } }))).toEqual([expect.objectContaining({ status: 'skipped', message: 'no promise' })]);
    expect(expiryEnforcement.check(buildEvidence({ expiry: { status: 'error', error: 'boom' } }))[0]?.status).toBe('error');
    expect(expiryEnforcement.check(buildEvidence({ withoutLifetimeProbes: true }))[0]?.status).toBe('skipped');
  });
});

describe('idle-timeout and absolute-timeout', () => {
  it('idle: replay logged out → pass; still logged in → fail', () => {
    expect(statuses(idleTimeout.check(buildEvidence()))).toEqual(['pass']);
    const ev = buildEvidence({ idleTimeout: idleTimeoutOk({ replay: { ...oracle(true, 41), atMs: 1_980_000 } }) });
    expect(idleTimeout.check(ev)[0]?.message).toBe("The session was still valid after 33m without a request, longer than the policy's idle timeout of 30m.");
  });

  it('idle: logged back in by another cookie (remember-me) → still a finding, but it says the session was restored, not that it stayed valid', () => {
    const ev = buildEvidence({ idleTimeout: idleTimeoutOk({ replay: { ...oracle(true, 41), atMs: 1_980_000 }, renewed: ['sid'] }) });
    const [r] = idleTimeout.check(ev);
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('answered with a new sid, restoring the session from another cookie');
    expect(r?.message).not.toContain('still valid');
  });

  it('absolute: ended while busy → pass; still valid after maxLifetime → fail', () => {
    expect(statuses(absoluteTimeout.check(buildEvidence()))).toEqual(['pass']);
    const ev = buildEvidence({ absoluteTimeout: absoluteTimeoutOk({ loggedOutAtMs: undefined, replay: { ...oracle(true, 51), atMs: 95_040_000 } }) });
    const [r] = absoluteTimeout.check(ev);
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('still valid at least 1d2h24m after login');
  });
});

describe('password-change-revocation', () => {
  it('A logged out after the change → pass; still logged in → fail', () => {
    expect(statuses(passwordChangeRevocation.check(buildEvidence()))).toEqual(['pass']);
    expect(statuses(passwordChangeRevocation.check(buildEvidence({ passwordChange: passwordChangeOk({ aReplay: oracle(true, 74) }) })))).toEqual(['fail']);
  });

  it('a change that did not take effect, or answered 4xx, is an error, never a verdict', () => {
    for (const bad of [passwordChangeOk({ aReplay: oracle(true, 74), oldPasswordLogin: oracle(true, 76) }), passwordChangeOk({ aReplay: oracle(true, 74), newPasswordLogin: oracle(false, 78) }), passwordChangeOk({ changeStatus: 403 })]) {
      expect(statuses(passwordChangeRevocation.check(buildEvidence({ passwordChange: bad })))).toEqual(['error']);
    }
  });
});

describe('session-persistence', () => {
  it('session survived the restart → pass; lost → fail', () => {
    expect(statuses(sessionPersistence.check(buildEvidence()))).toEqual(['pass']);
    const lost = sessionPersistence.check(buildEvidence({ persistence: persistenceOk({ replay: oracle(false, 62) }) }));
    expect(statuses(lost)).toEqual(['fail']);
    expect(sessionPersistence.meta.fix).toContain('MemoryStore');
    expect(lost[0]?.message).toContain('memory');
  });

  it('a lost client-side session (cookie-session, Flask, JWT) is blamed on a key made at start-up, not on a memory store', () => {
    const ev = buildEvidence({ persistence: persistenceOk({ replay: oracle(false, 62) }), tokens: tokensOk([{ format: 'flask', clientSide: true }]) });
    const [r] = sessionPersistence.check(ev);
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('the key that signs or encrypts it changed');
    expect(r?.message).not.toContain('MemoryStore');
  });
});

describe('lifetime in the report', () => {
  it('advertised and measured side by side, valid against the report schema', () => {
    const ev = buildEvidence({ line: '__Host-sid=abcdefghijklmnop; Path=/; Secure; HttpOnly; Max-Age=1800' });
    const report = buildReport(ev, { version: 't', durationMs: 1, failOn: 'high', minScore: undefined, policy: POLICY });
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(report.lifetime?.advertised).toEqual([{ cookie: '__Host-sid', source: 'max-age', seconds: 1800, text: '__Host-sid: 30m (Max-Age)' }]);
    expect(report.lifetime?.measured.map((m) => [m.probe, m.stillValid])).toEqual([
      ['expiry-idle', false], ['expiry-busy', false], ['idle-timeout', false], ['absolute-timeout', false], ['restart', true],
    ]);
  });

  it('notes say why nothing was measured', () => {
    const ev = buildEvidence({ idleTimeout: { status: 'skipped', reason: 'needs --expiry-wait 33m' } });
    expect(lifetimeOf(ev).notes).toContain('idle timeout: needs --expiry-wait 33m');
  });
});

describe('lifetime helpers', () => {
  it("the session's promise: earliest among essential cookies; latest of a group; none if a group member has none", () => {
    const p = (cookie: string, seconds: number, source: 'max-age' | 'jwt-exp' = 'max-age') => ({ cookie, source, seconds });
    expect(sessionPromise([p('a', 60), p('b', 30)], ['a', 'b'], true)).toEqual(p('b', 30));
    expect(sessionPromise([p('a', 60), p('a', 10, 'jwt-exp'), p('b', 30)], ['a', 'b'], false)).toEqual(p('b', 30));
    expect(sessionPromise([p('a', 60)], ['a', 'b'], false)).toBeUndefined();
    expect(sessionPromise([], ['a'], true)).toBeUndefined();
  });

  it('margin is max(1s, 10%); the needed flag rounds up to a readable unit', () => {
    expect(marginFor(2000)).toBe(1000);
    expect(marginFor(1_800_000)).toBe(180_000);
    expect(neededFlag(1_980_000)).toBe('--expiry-wait 33m');
    expect(neededFlag(2500)).toBe('--expiry-wait 3s');
    expect(neededFlag(95_040_000)).toBe('--expiry-wait 1d3h');
    expect(neededFlag(400 * 86_400_000)).toBe('a wait longer than --expiry-wait allows (at most 365d)');
  });

  it('reads exp from a JWT (also URL-encoded), and nothing from values that only look like one', () => {
    const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${enc({ alg: 'HS256' })}.${enc({ sub: 'a', exp: 1_900_000_000 })}.c2ln`;
    expect(jwtExp(token)).toBe(1_900_000_000);
    expect(jwtExp(encodeURIComponent(`Bearer ${token}`))).toBe(1_900_000_000);
    expect(jwtExp(`${enc({ alg: 'HS256' })}.${enc({ sub: 'a' })}.x`)).toBeUndefined();
    expect(jwtExp('s%3Aabc.def')).toBeUndefined();
    expect(jwtExp('a.b.c')).toBeUndefined();
  });

  it('a JWT promise takes the longest reading of exp: a Date header ahead of the signing clock does not shorten it', () => {
    const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const local = 1_800_000_000_000;
    const noIat = `${enc({ alg: 'HS256' })}.${enc({ exp: 1_800_000_900 })}.c2ln`;
    // Date an hour ahead: exp − Date is negative, the local clock still reads 15 minutes.
    expect(jwtPromiseSeconds(noIat, local + 3_600_000, local)).toBe(900);
    // exp − iat, both from the signer's clock, wins when both other clocks run ahead.
    const withIat = `${enc({ alg: 'HS256' })}.${enc({ iat: 1_800_000_000, exp: 1_800_000_900 })}.c2ln`;
    expect(jwtPromiseSeconds(withIat, local + 3_600_000, local + 3_600_000)).toBe(900);
    expect(jwtPromiseSeconds(withIat, undefined, local)).toBe(900);
    expect(jwtPromiseSeconds(`${enc({ alg: 'HS256' })}.${enc({ sub: 'a' })}.c2ln`, local, local)).toBeUndefined();
  });
});
