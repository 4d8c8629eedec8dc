/**
 * Regression tests for verdicts a hostile (or merely odd) target used to get wrong. Each test
 * starts its own misbehaving app on 127.0.0.1 (test/helpers/hostile-app.ts), runs the whole audit
 * the way the CLI does (validateConfig + runAudit) and reads the report a user would read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit, type AuditRun } from '../../src/audit.js';
import { Secret, validateConfig } from '../../src/config/load.js';
import type { JsonValue } from '../../src/config/schema.js';
import { AuditAbortError, ExitCode } from '../../src/errors.js';
import { reportSchema, type Report } from '../../src/report/schema.js';
import { startHostileApp, USER, type HostileApp, type Override } from '../helpers/hostile-app.js';

type ConfigObject = { [key: string]: JsonValue };

const PASSWORD = 'hostile-It-Pa55word';

const running: HostileApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.close()));
});

async function app(override?: Override): Promise<HostileApp> {
  const a = await startHostileApp(override ? { password: PASSWORD, override } : { password: PASSWORD });
  running.push(a);
  return a;
}

/** JSON login to /login, /me as the logged-in check, POST /logout. */
function jsonConfig(target: string, extra: ConfigObject = {}): ConfigObject {
  return {
    target,
    login: { url: '/login', type: 'json' },
    credentials: { username: USER },
    authCheck: { url: '/me' },
    logout: { url: '/logout' },
    timeout: '5s',
    ...extra,
  };
}

async function audit(input: ConfigObject): Promise<AuditRun> {
  const run = await runAudit({ config: validateConfig(input), password: new Secret(PASSWORD) });
  expect(() => reportSchema.parse(run.report)).not.toThrow();
  return run;
}

async function abortOf(input: ConfigObject): Promise<AuditAbortError> {
  const err: unknown = await runAudit({ config: validateConfig(input), password: new Secret(PASSWORD) }).then(
    (run) => new Error(`expected the audit to abort; it finished with gate passed=${run.report.gate.passed}, score ${run.report.score}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AuditAbortError);
  return err as AuditAbortError;
}

function check(report: Report, ruleId: string, cookie?: string): Report['checks'][number] {
  const found = report.checks.filter((c) => c.ruleId === ruleId && (cookie === undefined || c.cookie === cookie));
  expect(found, `${ruleId}${cookie ? ` (${cookie})` : ''}`).toHaveLength(1);
  return found[0] as Report['checks'][number];
}

/** A login override: on good credentials, answer 200 with exactly these Set-Cookie lines. */
function loginSets(lines: (sid: string) => string[]): Override {
  return (c) => {
    if (c.path !== '/login' || c.method !== 'POST' || !c.ok) return false;
    c.res.writeHead(200, { 'set-cookie': lines(c.newSession()), 'content-type': 'application/json' });
    c.res.end('{"ok":true}');
    return true;
  };
}

describe('session cookie identification among many cookies', () => {
  it('30 cookies at login (pref00..pref28 without flags, then sid): exactly sid is the session cookie, no rule judges a pref cookie', async () => {
    const prefs = Array.from({ length: 29 }, (_, i) => `pref${String(i).padStart(2, '0')}`);
    const a = await app(loginSets((sid) => [...prefs.map((p, i) => `${p}=v${i}abcdef; Path=/`), `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`]));
    const run = await audit(jsonConfig(a.url));
    const { report } = run;

    expect(report.session.identifiedBy).toBe('behaviour');
    expect(report.session.cookies.map((c) => [c.name, c.essential])).toEqual([['sid', true]]);
    // sid (the 30th cookie) was actually tried, not cut off by a candidate cap.
    expect(run.evidence.exchanges.some((e) => e.purpose === 'session cookie search: without sid')).toBe(true);

    const aboutPrefs = report.checks.filter((c) => c.cookie !== undefined && c.cookie.startsWith('pref'));
    expect(aboutPrefs.filter((c) => c.status === 'fail')).toEqual([]);
    expect(aboutPrefs).toEqual([]);
    expect(check(report, 'cookie-httponly', 'sid').status).toBe('pass');
    expect(check(report, 'cookie-samesite', 'sid').status).toBe('pass');
  });
});

describe('only the Set-Cookie line the browser kept is judged', () => {
  it('SameSite=Bogus then HttpOnly; SameSite=Lax for the same value: cookie-samesite passes (the second line wins)', async () => {
    const a = await app(loginSets((sid) => [`sid=${sid}; Path=/; SameSite=Bogus`, `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`]));
    const { report } = await audit(jsonConfig(a.url));
    expect(report.session.cookies.map((c) => c.name)).toEqual(['sid']);
    expect(check(report, 'cookie-samesite', 'sid').status).toBe('pass');
    expect(check(report, 'cookie-httponly', 'sid').status).toBe('pass');
    expect(report.session.cookies[0]?.setCookie).toMatch(/SameSite=Lax/);
  });

  it('a second line with Domain=0.0.1 (refused by the browser): cookie-scope passes and the line is marked refused', async () => {
    const a = await app(loginSets((sid) => [`sid=${sid}; Path=/; HttpOnly; SameSite=Lax`, `sid=${sid}; Domain=0.0.1; Path=/`]));
    const { report } = await audit(jsonConfig(a.url));
    expect(report.session.cookies.map((c) => c.name)).toEqual(['sid']);
    expect(check(report, 'cookie-scope', 'sid').status).toBe('pass');
    // The refused line has neither HttpOnly nor SameSite; it must not be judged either.
    expect(check(report, 'cookie-httponly', 'sid').status).toBe('pass');
    expect(check(report, 'cookie-samesite', 'sid').status).toBe('pass');

    const refusedLines = report.exchanges.flatMap((e) => e.setCookies).filter((s) => s.name === 'sid' && s.domainRaw === '0.0.1');
    expect(refusedLines.length).toBeGreaterThan(0);
    for (const line of refusedLines) expect(line.refused).toBe(true);
    const keptLines = report.exchanges.flatMap((e) => e.setCookies).filter((s) => s.name === 'sid' && s.domainRaw === undefined && !s.deletion);
    expect(keptLines.length).toBeGreaterThan(0);
    for (const line of keptLines) expect(line.refused).not.toBe(true);
  });

  it('Domain=127.0.0.1 on target 127.0.0.1 (an IP has no subdomains): cookie-scope passes', async () => {
    const a = await app(loginSets((sid) => [`sid=${sid}; Domain=127.0.0.1; Path=/; HttpOnly; SameSite=Lax`]));
    const { report } = await audit(jsonConfig(a.url));
    expect(report.session.cookies.map((c) => c.name)).toEqual(['sid']);
    expect(report.session.cookies[0]?.setCookie).toMatch(/Domain=127\.0\.0\.1/);
    const scope = check(report, 'cookie-scope', 'sid');
    expect(scope.status).toBe('pass');
  });
});

describe('logout that does nothing', () => {
  it('200 and no effect: logout-revocation and logout-cookie-clear are skipped (not fail), saying the logout did not take effect', async () => {
    const a = await app((c) => {
      if (c.path !== '/logout') return false;
      c.res.writeHead(200, { 'content-type': 'text/plain' });
      c.res.end('ok');
      return true;
    });
    const { report } = await audit(jsonConfig(a.url));
    const revocation = report.checks.filter((c) => c.ruleId === 'logout-revocation');
    const clear = report.checks.filter((c) => c.ruleId === 'logout-cookie-clear');
    expect(revocation.length).toBeGreaterThan(0);
    expect(clear.length).toBeGreaterThan(0);
    for (const c of [...revocation, ...clear]) {
      expect(c.status, c.ruleId).toBe('skipped');
      expect(c.message).toMatch(/logout did not take effect/);
    }
    expect(a.requests.some((r) => r.method === 'POST' && r.url === '/logout')).toBe(true);
  });
});

describe('a logged-in check that does not depend on any cookie', () => {
  /** /me answers 200 to everyone once anybody has logged in (a server-wide flag). */
  function globalFlag(trackingCookie: boolean): Override {
    let loggedIn = false;
    return (c) => {
      if (c.path === '/' && trackingCookie) {
        c.res.writeHead(200, { 'set-cookie': 'trk=abcdef123456; Path=/', 'content-type': 'text/html' });
        c.res.end('<p>home</p>');
        return true;
      }
      if (c.path === '/login' && c.method === 'POST' && c.ok) {
        loggedIn = true;
        c.res.writeHead(200, { 'content-type': 'application/json', ...(trackingCookie ? { 'set-cookie': 'trk=abcdef123456; Path=/' } : {}) });
        c.res.end('{"ok":true}');
        return true;
      }
      if (c.path === '/me') {
        c.res.writeHead(loggedIn ? 200 : 401);
        c.res.end(loggedIn ? 'alice' : 'no');
        return true;
      }
      if (c.path === '/logout') {
        c.res.writeHead(200);
        c.res.end();
        return true;
      }
      return false;
    };
  }

  it.each([
    ['with an unrelated tracking cookie', true],
    ['with no cookie at all', false],
  ])('%s: the audit aborts with exit code 3 (E_ORACLE_NO_COOKIE) instead of passing the gate', async (_label, tracking) => {
    const a = await app(globalFlag(tracking));
    const err = await abortOf(jsonConfig(a.url));
    expect(err.exitCode).toBe(ExitCode.auditFailed);
    expect(err.exitCode).toBe(3);
    expect(err.code).toBe('E_ORACLE_NO_COOKIE');
    expect(err.message).toMatch(/cannot tell logged-in from logged-out/);
  });
});

describe('form login with a partial login.body', () => {
  it('login.body names only {{username}}: the form password field still carries the real password, and the audit runs', async () => {
    const a = await app();
    const run = await audit(jsonConfig(a.url, { login: { url: '/login', type: 'form', body: { username: '{{username}}' } } }));
    const posts = a.requests.filter((r) => r.method === 'POST' && r.url === '/login');
    expect(posts.length).toBeGreaterThan(0);
    const first = new URLSearchParams(posts[0]?.body ?? '');
    expect(first.get('username')).toBe(USER);
    expect(first.get('password')).toBe(PASSWORD);
    expect(run.report.session.cookies.map((c) => [c.name, c.essential])).toEqual([['sid', true]]);
    expect(run.evidence.oracle.afterLogin.loggedIn).toBe(true);
  });
});
