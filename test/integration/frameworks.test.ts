/**
 * The audit against apps on other stacks, run by their real runtimes on 127.0.0.1: plain PHP
 * sessions (vulnerable and fixed), Flask's signed-cookie session, and Django's auth + database
 * sessions. Each verdict below is what the standards say about that stack's behaviour.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit, type AuditRun } from '../../src/audit.js';
import { Secret, validateConfig } from '../../src/config/load.js';
import { startProcessApp } from '../helpers/process-app.js';
import type { RunningApp } from '../helpers/server.js';

const APPS = fileURLToPath(new URL('../apps/', import.meta.url));
const PASSWORD = 'framework-pw-7Qx!';
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-flask and python3-django live

function statusOf(run: AuditRun, ruleId: string): string {
  const checks = run.report.checks.filter((c) => c.ruleId === ruleId);
  expect(checks.length, ruleId).toBeGreaterThan(0);
  return [...new Set(checks.map((c) => c.status))].join('/');
}

async function audit(url: string, paths: { login: string; me: string; logout: string }): Promise<AuditRun> {
  const config = validateConfig({
    target: url,
    login: { url: paths.login, type: 'form' },
    credentials: { username: 'alice' },
    authCheck: { url: paths.me },
    logout: { url: paths.logout },
  });
  return runAudit({ config, password: new Secret(PASSWORD) });
}

function php(fixed: boolean): Promise<RunningApp> {
  return startProcessApp({
    command: 'php',
    args: ['-S', '127.0.0.1:{port}', join(APPS, 'php', 'router.php')],
    env: { APP_PASSWORD: PASSWORD, FIXED: fixed ? '1' : '0' },
    install: 'apt-get install php-cli',
  });
}

describe('PHP sessions, as generated (no strict mode, no regenerate, logout unsets the user)', () => {
  let app: RunningApp;
  let run: AuditRun;
  beforeAll(async () => {
    app = await php(false);
    run = await audit(app.url, { login: '/login', me: '/me', logout: '/logout' });
  });
  afterAll(() => app?.close());

  it('finds PHPSESSID by behaviour', () => {
    expect(run.report.session.cookies.map((c) => c.name)).toEqual(['PHPSESSID']);
  });
  it('confirms fixation and adoption of an invented ID', () => {
    expect(statusOf(run, 'session-fixation')).toBe('fail');
    expect(statusOf(run, 'session-adoption')).toBe('fail');
  });
  it('logout ends the login server-side but leaves the cookie', () => {
    expect(statusOf(run, 'logout-revocation')).toBe('pass');
    expect(statusOf(run, 'logout-cookie-clear')).toBe('fail');
  });
  it('flags the default cookie flags and name', () => {
    for (const id of ['cookie-httponly', 'cookie-samesite', 'cookie-secure', 'cookie-name-fingerprint']) expect(statusOf(run, id), id).toBe('fail');
  });
});

describe('PHP sessions, fixed (strict mode, session_regenerate_id(true), session_destroy)', () => {
  let app: RunningApp;
  let run: AuditRun;
  beforeAll(async () => {
    app = await php(true);
    run = await audit(app.url, { login: '/login', me: '/me', logout: '/logout' });
  });
  afterAll(() => app?.close());

  it('passes fixation, adoption and both logout checks', () => {
    for (const id of ['session-fixation', 'session-adoption', 'logout-revocation', 'logout-cookie-clear', 'cookie-httponly', 'cookie-samesite']) {
      expect(statusOf(run, id), id).toBe('pass');
    }
  });
});

describe("Flask's default signed-cookie session", () => {
  let app: RunningApp;
  let run: AuditRun;
  beforeAll(async () => {
    app = await startProcessApp({ command: PYTHON, args: [join(APPS, 'python', 'flask_app.py'), '{port}'], env: { APP_PASSWORD: PASSWORD }, install: 'apt-get install python3-flask' });
    run = await audit(app.url, { login: '/login', me: '/me', logout: '/logout' });
  });
  afterAll(() => app?.close());

  it('a copy of the cookie outlives logout: the state lives in the cookie', () => {
    expect(run.report.session.cookies.map((c) => c.name)).toEqual(['session']);
    expect(statusOf(run, 'logout-revocation')).toBe('fail');
    expect(statusOf(run, 'logout-cookie-clear')).toBe('pass');
  });
  it('the pre-login cookie does not carry the login (its content changes at login)', () => {
    expect(statusOf(run, 'session-fixation')).toBe('pass');
    expect(statusOf(run, 'session-adoption')).toBe('pass');
  });
  it('HttpOnly by default, no SameSite by default', () => {
    expect(statusOf(run, 'cookie-httponly')).toBe('pass');
    expect(statusOf(run, 'cookie-samesite')).toBe('fail');
  });
});

describe("Django's auth login()/logout() with database sessions", () => {
  let app: RunningApp;
  let run: AuditRun;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'session-audit-django-'));
    app = await startProcessApp({
      command: PYTHON,
      args: [join(APPS, 'python', 'django_app.py'), '{port}', join(dir, 'db.sqlite3')],
      env: { APP_PASSWORD: PASSWORD },
      install: 'apt-get install python3-django',
    });
    run = await audit(app.url, { login: '/login/', me: '/me/', logout: '/logout/' });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds sessionid (not the csrftoken cookie) by behaviour', () => {
    expect(run.report.session.cookies.map((c) => c.name)).toEqual(['sessionid']);
  });
  it('no session exists before login, so fixation is not claimed either way; invented IDs are refused', () => {
    expect(statusOf(run, 'session-fixation')).toBe('skipped');
    expect(statusOf(run, 'session-adoption')).toBe('pass');
  });
  it('logout (a CSRF-protected POST, token sent as the site would) flushes the session', () => {
    expect(statusOf(run, 'logout-revocation')).toBe('pass');
    expect(statusOf(run, 'logout-cookie-clear')).toBe('pass');
  });
  it("Django's two-week persistent cookie exceeds a 24h policy", () => {
    expect(statusOf(run, 'cookie-lifetime')).toBe('fail');
    expect(statusOf(run, 'cookie-httponly')).toBe('pass');
    expect(statusOf(run, 'cookie-samesite')).toBe('pass');
  });
});

describe('Flask permanent session with a 2s PERMANENT_SESSION_LIFETIME, re-issued on every request', () => {
  let app: RunningApp;
  let run: AuditRun;
  beforeAll(async () => {
    app = await startProcessApp({ command: PYTHON, args: [join(APPS, 'python', 'flask_app.py'), '{port}'], env: { APP_PASSWORD: PASSWORD, APP_LIFETIME_SECONDS: '2' }, install: 'apt-get install python3-flask' });
    const config = validateConfig({
      target: app.url,
      login: { url: '/login', type: 'form' },
      credentials: { username: 'alice' },
      authCheck: { url: '/me' },
      policy: { idleTimeout: '2s', maxLifetime: '3s' },
      expiry: { maxWait: '7s' },
    });
    run = await runAudit({ config, password: new Secret(PASSWORD) });
  });
  afterAll(() => app?.close());

  it('the signed timestamp enforces the promised expiry, idle and busy (the busy probe follows each re-issued cookie)', () => {
    expect(run.report.lifetime?.advertised).toEqual([expect.objectContaining({ cookie: 'session', source: 'expires', seconds: 2 })]);
    expect(run.report.checks.filter((c) => c.ruleId === 'expiry-enforcement').map((c) => c.status)).toEqual(['pass', 'pass']);
    expect(statusOf(run, 'idle-timeout')).toBe('pass');
  });

  it('but a session kept busy is refreshed forever: no absolute timeout', () => {
    expect(statusOf(run, 'absolute-timeout')).toBe('fail');
  });
});

describe('Django database sessions with a 2s SESSION_COOKIE_AGE, and its own password change', () => {
  let app: RunningApp;
  let dir: string;
  const DJANGO_PW = 'django-original-Pw-4!';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'session-audit-django-life-'));
    app = await startProcessApp({
      command: PYTHON,
      args: [join(APPS, 'python', 'django_app.py'), '{port}', join(dir, 'db.sqlite3')],
      env: { APP_PASSWORD: DJANGO_PW, APP_COOKIE_AGE: '2' },
      install: 'apt-get install python3-django',
    });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the database expiry is fixed and enforced: expiry-enforcement passes idle and busy, idle-timeout passes', async () => {
    const config = validateConfig({
      target: app.url,
      login: { url: '/login/', type: 'form' },
      credentials: { username: 'alice' },
      authCheck: { url: '/me/' },
      policy: { idleTimeout: '2s', maxLifetime: '24h' },
      expiry: { maxWait: '7s' },
    });
    const run = await runAudit({ config, password: new Secret(DJANGO_PW) });
    expect(run.report.lifetime?.advertised).toEqual([expect.objectContaining({ cookie: 'sessionid', source: 'max-age', seconds: 2 })]);
    expect(run.report.checks.filter((c) => c.ruleId === 'expiry-enforcement').map((c) => c.status)).toEqual(['pass', 'pass']);
    expect(statusOf(run, 'idle-timeout')).toBe('pass');
  }, 30_000);

  it("PasswordChangeForm + update_session_auth_hash ends the user's other sessions: pass, and the original password works afterwards", async () => {
    const config = validateConfig({
      target: app.url,
      login: { url: '/login/', type: 'form' },
      credentials: { username: 'alice' },
      authCheck: { url: '/me/' },
      passwordChange: { url: '/password/', type: 'form', page: '/password/', body: { old_password: '{{password}}', new_password1: '{{newPassword}}', new_password2: '{{newPassword}}' } },
      allowPasswordChange: true,
    });
    const run = await runAudit({ config, password: new Secret(DJANGO_PW) });
    expect(statusOf(run, 'password-change-revocation')).toBe('pass');
    const ev = run.evidence.probes.passwordChange;
    expect(ev?.status === 'ok' && ev.data.restored).toBe(true);
    // The proof: a fresh audit logs in with the original password (it aborts with exit 3 otherwise).
    const again = await runAudit({ config: validateConfig({ target: app.url, login: { url: '/login/', type: 'form' }, credentials: { username: 'alice' }, authCheck: { url: '/me/' } }), password: new Secret(DJANGO_PW) });
    expect(again.report.session.cookies.map((c) => c.name)).toEqual(['sessionid']);
  }, 30_000);
});
