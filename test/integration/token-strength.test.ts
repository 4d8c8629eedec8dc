/**
 * Token strength against real session libraries on 127.0.0.1: jsonwebtoken HS256 cookies (with
 * and without an algorithm allow-list), cookie-session (keygrip), Flask (itsdangerous, run by
 * python3), and server-side IDs from weak and strong generators. Each rule is shown both ways.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit, type AuditRun } from '../../src/audit.js';
import { Secret, validateConfig } from '../../src/config/load.js';
import type { TokenCookieEvidence } from '../../src/evidence/types.js';
import { start as startCookieSession } from '../apps/cookie-session.js';
import { startIdApp, startJwtApp, type IdApp } from '../apps/token-apps.js';
import { PASSWORD } from '../helpers/contract.js';
import { startProcessApp } from '../helpers/process-app.js';
import type { RunningApp } from '../helpers/server.js';

const APPS = fileURLToPath(new URL('../apps/', import.meta.url));
const PYTHON = '/usr/bin/python3';

async function audit(url: string, extra: Record<string, unknown> = {}, password = PASSWORD): Promise<AuditRun> {
  const config = validateConfig({
    target: url,
    login: { url: '/api/login' },
    credentials: { username: 'alice' },
    authCheck: { url: '/me' },
    logout: { url: '/logout' },
    ...extra,
  });
  return runAudit({ config, password: new Secret(password) });
}

function checks(run: AuditRun, ruleId: string): AuditRun['report']['checks'] {
  return run.report.checks.filter((c) => c.ruleId === ruleId);
}
function only(run: AuditRun, ruleId: string): AuditRun['report']['checks'][number] {
  const found = checks(run, ruleId);
  expect(found, ruleId).toHaveLength(1);
  return found[0] as AuditRun['report']['checks'][number];
}
function tokenEvidence(run: AuditRun, cookie: string): TokenCookieEvidence {
  const t = run.evidence.probes.tokens;
  if (t?.status !== 'ok') throw new Error(`token probe: ${JSON.stringify(t)}`);
  const c = t.data.cookies.find((x) => x.cookie === cookie);
  if (!c) throw new Error(`no token evidence for ${cookie}`);
  return c;
}

describe("jsonwebtoken HS256 signed with 'secret', algorithms allow-list, 30-day expiry, --prove", () => {
  let app: RunningApp;
  let run: AuditRun;
  beforeAll(async () => {
    app = await startJwtApp({ secret: 'secret', expiresIn: '30d', apiTokenSecret: 'changeme' });
    run = await audit(app.url, { prove: true });
  });
  afterAll(() => app?.close());
  const cookieCheck = (ruleId: string) => checks(run, ruleId).find((c) => c.cookie === 'token');
  const bodyCheck = (ruleId: string) => checks(run, ruleId).find((c) => c.cookie === undefined);

  it("weak-secret: critical, names 'secret', proven by a forged token the server accepts while refusing the control", () => {
    const r = cookieCheck('weak-secret');
    expect(r).toMatchObject({ status: 'fail', severity: 'critical', cookie: 'token' });
    expect(r?.message).toContain('"secret"');
    expect(r?.message).toContain('Proven');
    const proof = tokenEvidence(run, 'token').weakSecret?.proof;
    expect(proof?.status === 'ok' && [proof.data.accepted.loggedIn, proof.data.control.loggedIn]).toEqual([true, false]);
  });
  it('jwt-alg-none: the allow-list refuses none, None and NONE', () => {
    const r = cookieCheck('jwt-alg-none');
    expect(r?.status).toBe('pass');
    expect(r?.exchangeIds).toHaveLength(4); // control + three variants, one request each
  });
  it('jwt-expiry: 30 days exceed the 24h policy', () => {
    const r = cookieCheck('jwt-expiry');
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('30d');
  });
  it('client-side-session: a copy works after logout; token-entropy does not apply', () => {
    expect(only(run, 'client-side-session').status).toBe('fail');
    expect(only(run, 'token-entropy')).toMatchObject({ status: 'skipped', notApplicable: true });
  });
  it("the JWT in the login response's body is judged offline: weak secret 'changeme', no exp; alg:none cannot be sent", () => {
    expect(bodyCheck('weak-secret')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(bodyCheck('weak-secret')?.message).toContain(`The JWT in the login response's "access_token" field is signed with the published default secret "changeme"`);
    expect(bodyCheck('weak-secret')?.evidence.join(' ')).toContain('Authorization header');
    expect(bodyCheck('jwt-expiry')?.status).toBe('fail');
    expect(bodyCheck('jwt-expiry')?.message).toContain('no exp claim');
    expect(bodyCheck('jwt-alg-none')?.status).toBe('skipped');
  });
  it('the report never holds the forged tokens or the login response token unmasked', () => {
    const json = JSON.stringify(run.report);
    for (const ex of run.evidence.exchanges.filter((e) => e.actor === 'attacker')) {
      for (const c of ex.sentCookies) expect(c.value.raw).toBeUndefined();
    }
    expect(json).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}/);
  });
});

describe('a hand-rolled verifier that trusts alg:none, random secret, 1h tokens deny-listed at logout', () => {
  let app: RunningApp;
  let run: AuditRun;
  beforeAll(async () => {
    app = await startJwtApp({ secret: 'r4nd0m-' + Math.random().toString(36).repeat(4), expiresIn: '1h', acceptNone: true, denyList: true, personal: true });
    run = await audit(app.url);
  });
  afterAll(() => app?.close());

  it('jwt-alg-none: critical', () => {
    const r = only(run, 'jwt-alg-none');
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(r.message).toContain('"none"');
  });
  it('weak-secret passes, jwt-expiry passes', () => {
    expect(only(run, 'weak-secret').status).toBe('pass');
    expect(only(run, 'jwt-expiry').status).toBe('pass');
  });
  it('client-side-session: the deny-list revokes at logout (pass), but e-mail and role are readable (fail)', () => {
    const [state, personal] = checks(run, 'client-side-session');
    expect(state?.status).toBe('pass');
    expect(state?.message).toContain('does revoke');
    expect(personal?.status).toBe('fail');
    expect(personal?.message).toContain('email (e-mail address)');
    expect(personal?.message).toContain('role (role or privilege)');
    expect(JSON.stringify(run.report)).not.toContain('alice@example.test');
  });
});

describe('--wordlist: a secret outside the built-in list', () => {
  let app: RunningApp;
  let run: AuditRun;
  let dir: string;
  const SECRET = 'Acme-Staging-Signing-Key-2025';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'session-audit-wordlist-'));
    await writeFile(join(dir, 'words.txt'), `first\r\n\nsecond\n${SECRET}\n`);
    app = await startJwtApp({ secret: SECRET, expiresIn: '1h' });
    run = await audit(app.url, { wordlist: join(dir, 'words.txt'), entropySamples: 0 });
  });
  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is found, and masked in the report because it may be the user’s own secret', () => {
    const r = only(run, 'weak-secret');
    expect(r.status).toBe('fail');
    expect(r.message).toContain('from --wordlist, masked');
    expect(JSON.stringify(run.report)).not.toContain(SECRET);
  });
});

describe("cookie-session with keys ['key1'] (its README example), --prove", () => {
  let app: RunningApp;
  let run: AuditRun;
  beforeAll(async () => {
    app = await startCookieSession({ keys: ['key1'], email: true });
    run = await audit(app.url, { login: { url: '/login', type: 'form' }, prove: true });
  });
  afterAll(() => app?.close());

  it('weak-secret: critical, proven with a changed session JSON re-signed as session.sig', () => {
    const r = only(run, 'weak-secret');
    expect(r).toMatchObject({ status: 'fail', severity: 'critical', cookie: 'session' });
    expect(r.message).toContain('"key1"');
    expect(r.evidence.join(' ')).toContain('session_audit');
    expect(r.message).toContain('Proven');
  });
  it('client-side-session: state in the cookie outlives logout, and the e-mail is readable', () => {
    expect(checks(run, 'client-side-session').map((c) => c.status)).toEqual(['fail', 'fail']);
  });
});

describe("Flask with SECRET_KEY 'dev' (the Flask tutorial's), --prove", () => {
  let app: RunningApp;
  let run: AuditRun;
  beforeAll(async () => {
    app = await startProcessApp({ command: PYTHON, args: [join(APPS, 'python', 'flask_app.py'), '{port}'], env: { APP_PASSWORD: PASSWORD, APP_SECRET: 'dev' }, install: 'apt-get install python3-flask' });
    run = await audit(app.url, { login: { url: '/login', type: 'form' }, logout: { url: '/logout' }, prove: true });
  });
  afterAll(() => app?.close());

  it('weak-secret: critical, and Flask accepts the cookie forged with a new timestamp', () => {
    const r = only(run, 'weak-secret');
    expect(r).toMatchObject({ status: 'fail', severity: 'critical', cookie: 'session' });
    expect(r.message).toContain('"dev"');
    expect(r.message).toContain('Proven');
    expect(tokenEvidence(run, 'session').format).toBe('flask');
  });
});

describe('session ID generators', () => {
  const cases: Array<[string, Parameters<typeof startIdApp>[0], string, string | undefined]> = [
    ['a counter (issued to anonymous visitors)', { generator: 'counter', anonymous: true }, 'fail', 'high'],
    ['a millisecond timestamp (anonymous)', { generator: 'timestamp', anonymous: true }, 'fail', 'high'],
    ['32-bit random IDs (issued only at login)', { generator: 'random32', anonymous: false }, 'fail', 'high'],
    ['crypto.randomBytes(32) (anonymous)', { generator: 'strong', anonymous: true }, 'pass', undefined],
    ['crypto.randomBytes(32) (issued only at login)', { generator: 'strong', anonymous: false }, 'pass', undefined],
  ];
  for (const [name, opts, status, severity] of cases) {
    it(`${name}: token-entropy ${status}${severity ? ` (${severity})` : ''}`, async () => {
      const app: IdApp = await startIdApp(opts);
      try {
        const run = await audit(app.url);
        const r = only(run, 'token-entropy');
        expect(r.status, r.message).toBe(status);
        if (severity) expect(r.severity).toBe(severity);
        const ev = run.evidence.probes.entropy;
        expect(ev?.status === 'ok' && ev.data[0]?.source).toBe(opts.anonymous ? 'anonymous' : 'login');
        // Sampling by login logs every sampling session out again: nothing logged in is left.
        expect(app.loggedInSessions()).toBe(0);
      } finally {
        await app.close();
      }
    });
  }

  it('without a logout, IDs issued only at login are not sampled (that would leave sessions open)', async () => {
    const app = await startIdApp({ generator: 'random32', anonymous: false });
    try {
      const config = validateConfig({ target: app.url, login: { url: '/api/login' }, credentials: { username: 'alice' }, authCheck: { url: '/me' } });
      const run = await runAudit({ config, password: new Secret(PASSWORD) });
      const r = only(run, 'token-entropy');
      expect(r.status).toBe('skipped');
      expect(r.message).toContain('--logout');
    } finally {
      await app.close();
    }
  });
});
