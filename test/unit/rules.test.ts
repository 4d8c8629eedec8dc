import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../src/evidence/types.js';
import { Redactor } from '../../src/http/redact.js';
import { RULES, ruleById } from '../../src/rules/index.js';
import type { CheckResult } from '../../src/rules/types.js';
import { adoptionOk, buildEvidence, fixationOk, GOOD_LINE, logoutOk, oracle, POLICY, sessionCookie, TOKEN } from '../fixtures/evidence.js';

function check(id: string, ev: Evidence, policy = POLICY): CheckResult[] {
  const rule = ruleById(id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule.check(ev, policy);
}

/** The single result of a rule on one-cookie evidence. */
function one(id: string, ev: Evidence, policy = POLICY): CheckResult {
  const results = check(id, ev, policy);
  expect(results).toHaveLength(1);
  return results[0] as CheckResult;
}

function withLine(line: string): Evidence {
  return buildEvidence({ line });
}

const COOKIE_RULES = ['cookie-secure', 'cookie-httponly', 'cookie-samesite', 'cookie-lifetime', 'cookie-scope', 'cookie-prefix', 'cookie-name-fingerprint'];

describe('rule registry', () => {
  it('has sixteen rules with unique kebab-case ids, in report order', () => {
    expect(RULES.map((r) => r.meta.id)).toEqual([
      'session-fixation', 'session-adoption', 'logout-revocation', 'logout-cookie-clear',
      'password-change-revocation', 'expiry-enforcement', 'idle-timeout', 'absolute-timeout', 'session-persistence',
      'cookie-secure', 'cookie-httponly', 'cookie-samesite', 'cookie-lifetime', 'cookie-scope', 'cookie-prefix', 'cookie-name-fingerprint',
      'weak-secret', 'jwt-alg-none', 'jwt-expiry', 'client-side-session', 'token-entropy',
    ]);
    expect(ruleById('nope')).toBeUndefined();
  });

  it('every rule passes on hardened evidence (or does not apply: no JWT, no signed format)', () => {
    const notApplicable = new Set(['weak-secret', 'jwt-alg-none', 'jwt-expiry']);
    for (const rule of RULES) {
      const results = rule.check(buildEvidence(), POLICY);
      const expected = notApplicable.has(rule.meta.id) ? 'skipped' : 'pass';
      expect(results.map((r) => [r.ruleId, r.status, r.status === 'skipped' ? r.notApplicable : true])).toEqual(results.map(() => [rule.meta.id, expected, true]));
    }
  });
});

describe('cookie rules: missing evidence', () => {
  it.each(COOKIE_RULES)('%s is skipped for a session cookie without a Set-Cookie line', (id) => {
    const r = one(id, buildEvidence({ line: null, name: 'sid' }));
    expect(r.status).toBe('skipped');
    expect(r.cookie).toBe('sid');
    expect(r.message).toBe('no Set-Cookie line that set the current value of sid was seen, so its attributes are unknown');
  });

  it.each(COOKIE_RULES)('%s is skipped when no session cookie was identified', (id) => {
    const r = one(id, buildEvidence({ cookies: [] }));
    expect(r.status).toBe('skipped');
    expect(r.message).toBe('no session cookie was identified');
  });

  it('judges each session cookie separately', () => {
    const redactor = new Redactor();
    const ev = buildEvidence({ cookies: [sessionCookie(`a=${TOKEN}; Secure`, redactor), sessionCookie(`b=${TOKEN}`, redactor)] });
    expect(check('cookie-secure', ev).map((r) => [r.cookie, r.status])).toEqual([['a', 'pass'], ['b', 'fail']]);
  });
});

describe('cookie-secure', () => {
  it('fails (high) without Secure, with the Set-Cookie line as evidence and its exchange id', () => {
    const r = one('cookie-secure', withLine(`__Host-sid=${TOKEN}; Path=/; HttpOnly`));
    expect(r).toMatchObject({ ruleId: 'cookie-secure', status: 'fail', severity: 'high', cookie: '__Host-sid', exchangeIds: [3] });
    expect(r.evidence).toEqual(['Set-Cookie: __Host-sid=Zt8qL2vN…; Path=/; HttpOnly']);
  });

  it('adds a note when the target itself is plain http', () => {
    const r = one('cookie-secure', buildEvidence({ line: `sid=${TOKEN}`, https: false }));
    expect(r.status).toBe('fail');
    expect(r.evidence[1]).toBe('The target itself is served over http://app.example.test: the token already travels in clear.');
  });

  it('passes with Secure', () => {
    expect(one('cookie-secure', withLine(`sid=${TOKEN}; Secure`)).status).toBe('pass');
  });
});

describe('cookie-httponly', () => {
  it('fails (medium) without HttpOnly', () => {
    expect(one('cookie-httponly', withLine(`sid=${TOKEN}; Secure`))).toMatchObject({ status: 'fail', severity: 'medium' });
  });
  it('passes with HttpOnly', () => {
    expect(one('cookie-httponly', withLine(`sid=${TOKEN}; HttpOnly`)).status).toBe('pass');
  });
});

describe('cookie-samesite', () => {
  it.each([
    ['missing', `sid=${TOKEN}; Secure`, 'fail', 'medium'],
    ['invalid', `sid=${TOKEN}; Secure; SameSite=Bogus`, 'fail', 'medium'],
    ['None without Secure', `sid=${TOKEN}; SameSite=None`, 'fail', 'medium'],
    ['None with Secure', `sid=${TOKEN}; Secure; SameSite=None`, 'fail', 'low'],
    ['Lax', `sid=${TOKEN}; SameSite=Lax`, 'pass', 'medium'],
    ['Strict', `sid=${TOKEN}; SameSite=strict`, 'pass', 'medium'],
  ])('%s → %s (%s)', (_label, line, status, severity) => {
    expect(one('cookie-samesite', withLine(line))).toMatchObject({ status, severity });
  });

  it('quotes the invalid raw value', () => {
    expect(one('cookie-samesite', withLine(`sid=${TOKEN}; SameSite=Bogus`)).message).toBe('Session cookie sid has SameSite=Bogus, which is not Strict, Lax or None; browsers ignore it.');
  });
});

describe('cookie-lifetime', () => {
  it('fails a one-year Max-Age against the 24h policy', () => {
    const r = one('cookie-lifetime', withLine(`sid=${TOKEN}; Max-Age=31536000`));
    expect(r).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(r.message).toBe("Session cookie sid persists for 365d, longer than the policy's maximum lifetime of 1d.");
    expect(r.evidence[1]).toBe('Lifetime from Max-Age=31536000: 365d; policy.maxLifetime: 1d');
  });

  it('passes a Max-Age of exactly 24h', () => {
    expect(one('cookie-lifetime', withLine(`sid=${TOKEN}; Max-Age=86400`)).status).toBe('pass');
  });

  it('tolerates a minute of clock skew over the limit, not more', () => {
    expect(one('cookie-lifetime', withLine(`sid=${TOKEN}; Max-Age=86460`)).status).toBe('pass');
    expect(one('cookie-lifetime', withLine(`sid=${TOKEN}; Max-Age=86461`)).status).toBe('fail');
  });

  it('passes a browser-session cookie (no Max-Age or Expires)', () => {
    const r = one('cookie-lifetime', withLine(`sid=${TOKEN}; Secure`));
    expect(r.status).toBe('pass');
    expect(r.message).toContain('browser-session cookie');
  });

  it('judges Expires relative to the response time', () => {
    // NOW is 2025-06-01T12:00:00Z in the fixture: 7 days later fails, 2 hours later passes.
    const long = one('cookie-lifetime', withLine(`sid=${TOKEN}; Expires=Sun, 08 Jun 2025 12:00:00 GMT`));
    expect(long.status).toBe('fail');
    expect(long.evidence[1]).toBe('Lifetime from Expires=Sun, 08 Jun 2025 12:00:00 GMT: 7d; policy.maxLifetime: 1d');
    expect(one('cookie-lifetime', withLine(`sid=${TOKEN}; Expires=Sun, 01 Jun 2025 14:00:00 GMT`)).status).toBe('pass');
  });

  it('follows the configured policy', () => {
    expect(one('cookie-lifetime', withLine(`sid=${TOKEN}; Max-Age=7200`), { ...POLICY, maxLifetime: 3_600_000 }).status).toBe('fail');
  });
});

describe('cookie-scope', () => {
  it('fails (medium) for Domain set to a parent domain', () => {
    const r = one('cookie-scope', withLine(`sid=${TOKEN}; Domain=.example.test`));
    expect(r).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(r.message).toBe('Session cookie sid has Domain=.example.test: every host under example.test receives the session token, not only app.example.test.');
  });

  it('fails (low) for Domain set to the host itself', () => {
    expect(one('cookie-scope', withLine(`sid=${TOKEN}; Domain=App.Example.Test`))).toMatchObject({ status: 'fail', severity: 'low' });
  });

  it('passes a host-only cookie', () => {
    expect(one('cookie-scope', withLine(`sid=${TOKEN}; Path=/`)).status).toBe('pass');
  });
});

describe('cookie-prefix', () => {
  it.each([
    ['with Domain', `__Host-sid=${TOKEN}; Secure; Path=/; Domain=app.example.test`, 'Domain=app.example.test'],
    ['with Path=/app', `__Host-sid=${TOKEN}; Secure; Path=/app`, 'Path=/app'],
    ['without Path', `__Host-sid=${TOKEN}; Secure`, 'no Path=/'],
    ['without Secure', `__Host-sid=${TOKEN}; Path=/`, 'no Secure'],
  ])('a __Host- cookie %s fails (medium)', (_label, line, broken) => {
    const r = one('cookie-prefix', withLine(line));
    expect(r).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(r.message).toBe(`Session cookie __Host-sid breaks the __Host- prefix rules (${broken}); browsers reject it.`);
  });

  it('a correct __Host- cookie passes', () => {
    expect(one('cookie-prefix', withLine(`__Host-sid=${TOKEN}; Secure; Path=/`)).status).toBe('pass');
  });

  it('the prefix is matched case-insensitively', () => {
    expect(one('cookie-prefix', withLine(`__HOST-sid=${TOKEN}; Secure; Path=/`)).status).toBe('pass');
    expect(one('cookie-prefix', withLine(`__HOST-sid=${TOKEN}; Secure; Path=/; Domain=x.test`))).toMatchObject({ status: 'fail', severity: 'medium' });
  });

  it('__Secure- needs Secure', () => {
    expect(one('cookie-prefix', withLine(`__Secure-sid=${TOKEN}; Secure; Domain=example.test`)).status).toBe('pass');
    expect(one('cookie-prefix', withLine(`__Secure-sid=${TOKEN}`))).toMatchObject({ status: 'fail', severity: 'medium' });
  });

  it('no prefix fails (low)', () => {
    expect(one('cookie-prefix', withLine(`sid=${TOKEN}; Secure; Path=/`))).toMatchObject({ status: 'fail', severity: 'low' });
  });
});

describe('cookie-name-fingerprint', () => {
  it.each([
    ['connect.sid', 'express-session (Node.js)'],
    ['PHPSESSID', 'PHP'],
    ['JSESSIONID', 'Java servlet containers (Tomcat, Jetty, Spring)'],
    ['ASP.NET_SessionId', 'ASP.NET'],
    ['ASPSESSIONIDABCDEFGH', 'classic ASP'],
    ['_myapp_session', 'Ruby on Rails'],
    ['laravel_session', 'Laravel'],
  ])('%s fails (low) naming %s', (name, fw) => {
    const r = one('cookie-name-fingerprint', withLine(`${name}=${TOKEN}; Secure`));
    expect(r).toMatchObject({ status: 'fail', severity: 'low', cookie: name });
    expect(r.message).toBe(`Session cookie ${name} is the default name of ${fw}, which fingerprints the stack.`);
  });

  it.each(['__Host-sid', 'sid', 'ASPSESSIONIDABC', 'myapp_session'])('%s passes', (name) => {
    expect(one('cookie-name-fingerprint', withLine(`${name}=${TOKEN}; Secure`)).status).toBe('pass');
  });

  it('flags a Rails default name whose app name contains an underscore', () => {
    expect(one('cookie-name-fingerprint', withLine(`_my_app_session=${TOKEN}; Secure`)).status).toBe('fail');
  });
});

describe('session-fixation', () => {
  it('fails when the pre-login ID survives and logs in a second browser', () => {
    const ev = buildEvidence({ fixation: fixationOk({ unchanged: ['__Host-sid'], rotated: [], replay: oracle(true, 9) }) });
    const r = one('session-fixation', ev);
    expect(r).toMatchObject({ status: 'fail', severity: 'high', cookie: '__Host-sid', exchangeIds: [9] });
    expect(r.evidence[0]).toBe('Before login the browser held __Host-sid=Zt8qL2vN…; after login it held the same value.');
  });

  it('passes when the value is unchanged but the pre-login cookies alone are not logged in', () => {
    const ev = buildEvidence({ fixation: fixationOk({ unchanged: ['__Host-sid'], rotated: [], replay: oracle(false, 9) }) });
    expect(one('session-fixation', ev)).toMatchObject({ status: 'pass', exchangeIds: [9] });
  });

  it('passes when the ID was rotated at login', () => {
    const r = one('session-fixation', buildEvidence({ fixation: fixationOk({ rotated: ['__Host-sid'] }) }));
    expect(r.status).toBe('pass');
    expect(r.message).toBe('The session ID changed at login (__Host-sid): the pre-login ID was not carried over.');
  });

  it('is skipped (not a pass) when there was no pre-login session cookie to test, and says how to get one', () => {
    const r = one('session-fixation', buildEvidence({ fixation: fixationOk({ rotated: [], absentBeforeLogin: ['__Host-sid'] }) }));
    expect(r.status).toBe('skipped');
    expect(r.message).toContain('No session cookie (__Host-sid) existed before login');
    expect(r.message).toContain('set login.page');
  });

  it('is an error when the probe failed, or the replay is missing', () => {
    expect(one('session-fixation', buildEvidence({ fixation: { status: 'error', error: 'socket hang up' } }))).toMatchObject({ status: 'error', message: 'The fixation probe failed: socket hang up' });
    expect(one('session-fixation', buildEvidence({ fixation: fixationOk({ unchanged: ['__Host-sid'], rotated: [] }) })).status).toBe('error');
  });

  it('is skipped with the probe reason', () => {
    expect(one('session-fixation', buildEvidence({ fixation: { status: 'skipped', reason: 'no pre-login page' } }))).toMatchObject({ status: 'skipped', message: 'no pre-login page' });
  });

  it('shows the raw value only with showSecrets', () => {
    const redactor = new Redactor(true);
    const ev = buildEvidence({ redactor, fixation: fixationOk({ unchanged: ['__Host-sid'], rotated: [], replay: oracle(true, 9) }) });
    expect(one('session-fixation', ev).evidence[0]).toContain(`__Host-sid=${TOKEN}`);
  });
});

describe('session-adoption', () => {
  it('fails when a planted ID is kept and authenticates the attacker', () => {
    const r = one('session-adoption', buildEvidence({ adoption: adoptionOk({ kept: ['__Host-sid'], replay: oracle(true, 15) }) }));
    expect(r).toMatchObject({ status: 'fail', severity: 'high', cookie: '__Host-sid', exchangeIds: [15] });
    expect(r.evidence[0]).toContain('Planted before login: __Host-sid=Ab3dEf6h…');
  });

  it('passes when the planted ID is kept but does not authenticate', () => {
    expect(one('session-adoption', buildEvidence({ adoption: adoptionOk({ kept: ['__Host-sid'], replay: oracle(false, 15) }) })).status).toBe('pass');
  });

  it('passes when the server replaced the planted ID', () => {
    expect(one('session-adoption', buildEvidence({ adoption: adoptionOk({ kept: [] }) })).message).toBe('The server did not keep the attacker-chosen session ID: after logging in, the browser held a value the server issued.');
  });

  it('is an error when the planted ID was kept without a replay, or the probe failed', () => {
    expect(one('session-adoption', buildEvidence({ adoption: adoptionOk({ kept: ['__Host-sid'] }) })).status).toBe('error');
    expect(one('session-adoption', buildEvidence({ adoption: { status: 'error', error: 'second login failed' } }))).toMatchObject({ status: 'error', message: 'The adoption probe failed: second login failed' });
  });

  it('is skipped with the probe reason', () => {
    const reason = 'the session cookie has no value to imitate';
    expect(one('session-adoption', buildEvidence({ adoption: { status: 'skipped', reason } }))).toMatchObject({ status: 'skipped', message: reason });
  });
});

describe('logout rules', () => {
  const LOGOUT_RULES = ['logout-revocation', 'logout-cookie-clear'];

  it.each(LOGOUT_RULES)('%s is skipped with the probe reason when no logout is configured', (id) => {
    const reason = 'no logout endpoint configured (pass --logout <path> or set "logout" in the config)';
    expect(one(id, buildEvidence({ logout: { status: 'skipped', reason } }))).toMatchObject({ status: 'skipped', message: reason });
  });

  it.each(LOGOUT_RULES)('%s is an error when the logout probe failed', (id) => {
    expect(one(id, buildEvidence({ logout: { status: 'error', error: 'timeout' } }))).toMatchObject({ status: 'error', message: 'The logout probe failed: timeout' });
  });

  it.each(LOGOUT_RULES)('%s is an error when logout answered 403', (id) => {
    const r = one(id, buildEvidence({ logout: logoutOk({ logoutStatus: 403 }) }));
    expect(r.status).toBe('error');
    expect(r.message).toContain('The logout request answered 403');
    expect(r.exchangeIds).toEqual([20]);
  });

  it.each(LOGOUT_RULES)('%s is skipped when the victim was not logged in right before logout', (id) => {
    const r = one(id, buildEvidence({ logout: logoutOk({ beforeLogout: oracle(false, 19) }) }));
    expect(r.status).toBe('skipped');
    expect(r.message).toContain('no longer logged in right before logout');
    expect(r.exchangeIds).toEqual([19]);
  });

  it('logout-revocation fails when the saved cookie still logs in after logout', () => {
    const r = one('logout-revocation', buildEvidence({ logout: logoutOk({ replay: oracle(true, 22) }) }));
    expect(r).toMatchObject({ status: 'fail', severity: 'high', exchangeIds: [20, 22] });
    expect(r.evidence[2]).toBe('A second browser replaying the cookies saved before logout: status 200 → still logged in.');
  });

  it('logout-revocation passes when the saved cookie no longer works', () => {
    expect(one('logout-revocation', buildEvidence())).toMatchObject({ status: 'pass', exchangeIds: [20, 22] });
  });

  it('logout-revocation is skipped when the logging-out browser is still logged in', () => {
    const r = one('logout-revocation', buildEvidence({ logout: logoutOk({ victimAfter: oracle(true, 21), replay: oracle(true, 22) }) }));
    expect(r.status).toBe('skipped');
    expect(r.message).toContain('the logging-out browser itself was still logged in');
    expect(r.exchangeIds).toEqual([20, 21]);
  });

  it('logout-cookie-clear fails when logout kept the cookie', () => {
    const r = one('logout-cookie-clear', buildEvidence({ logout: logoutOk({ cookieActions: [{ name: '__Host-sid', action: 'kept' }] }) }));
    expect(r).toMatchObject({ status: 'fail', severity: 'low', cookie: '__Host-sid' });
    expect(r.evidence).toEqual(['The logout response carried no Set-Cookie for __Host-sid.']);
  });

  it('logout-cookie-clear passes when logout deleted or replaced the cookie', () => {
    const deleted = one('logout-cookie-clear', buildEvidence());
    expect(deleted).toMatchObject({ status: 'pass', message: 'The logout response expired __Host-sid in the browser.' });
    expect(deleted.evidence).toEqual(['Logout Set-Cookie: __Host-sid=; Path=/; Max-Age=0; Secure; HttpOnly']);
    const replaced = one('logout-cookie-clear', buildEvidence({ logout: logoutOk({ cookieActions: [{ name: '__Host-sid', action: 'replaced', line: '__Host-sid=Qw12…; Path=/' }] }) }));
    expect(replaced).toMatchObject({ status: 'pass', message: 'The logout response replaced __Host-sid in the browser.' });
  });

  it('logout-cookie-clear gives one result per session cookie', () => {
    const ev = buildEvidence({ logout: logoutOk({ cookieActions: [{ name: 'a', action: 'deleted' }, { name: 'b', action: 'kept' }] }) });
    expect(check('logout-cookie-clear', ev).map((r) => [r.cookie, r.status])).toEqual([['a', 'pass'], ['b', 'fail']]);
  });
});

describe('fixture sanity', () => {
  it('the default session cookie line is the hardened one', () => {
    const ev = buildEvidence();
    expect(ev.session.cookies[0]?.setCookie?.line).toBe(GOOD_LINE.replace(TOKEN, 'Zt8qL2vN…'));
  });
});
