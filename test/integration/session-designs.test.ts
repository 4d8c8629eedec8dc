/**
 * Verdicts on session designs whose traps are in the probes themselves: the session cookie
 * search must not consume a single-use token or a rotating ID and then judge logout with a dead
 * copy; a deletion with the wrong Path deletes nothing; extra cookies, stateless tokens and
 * one-session-per-user get the verdicts the standards give them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit, type AuditRun } from '../../src/audit.js';
import { Secret, validateConfig } from '../../src/config/load.js';
import { start, type Design } from '../apps/session-designs.js';
import type { RunningApp } from '../helpers/server.js';

const PASSWORD = 'designs-pw-4Kd!';
let app: RunningApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function audit(design: Design): Promise<AuditRun> {
  app = await start(design, PASSWORD);
  const p = design === 'badpath' ? '/app' : '';
  const config = validateConfig({
    target: app.url,
    login: { url: `${p}/login` },
    credentials: { username: 'alice' },
    authCheck: { url: `${p}/me` },
    logout: { url: `${p}/logout` },
  });
  return runAudit({ config, password: new Secret(PASSWORD) });
}

function verdicts(run: AuditRun): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of run.report.checks) {
    const key = c.cookie && ['logout-cookie-clear'].includes(c.ruleId) ? `${c.ruleId}:${c.cookie}` : c.ruleId;
    out[key] = out[key] && out[key] !== c.status ? `${out[key]}/${c.status}` : c.status;
  }
  return out;
}

describe('remember-me tokens', () => {
  it('a single-use token that logout does not revoke: logout-revocation fails', async () => {
    const run = await audit('remember-rotate-norevoke');
    expect(run.report.session.cookies.map((c) => c.name).sort()).toEqual(['remember', 'sid']);
    expect(verdicts(run)).toMatchObject({ 'logout-revocation': 'fail', 'logout-cookie-clear:sid': 'pass', 'logout-cookie-clear:remember': 'pass' });
    expect(run.report.session.note).toContain('logged in again');
  });

  it('a single-use token revoked at logout: logout-revocation passes', async () => {
    const run = await audit('remember-rotate');
    expect(verdicts(run)).toMatchObject({ 'logout-revocation': 'pass' });
  });
});

it('an ID rotated on every request, next to an unrelated cookie: logout is judged, not skipped', async () => {
  const run = await audit('rotate-every');
  expect(run.report.session.cookies.map((c) => c.name)).toEqual(['sid']);
  expect(verdicts(run)).toMatchObject({ 'session-fixation': 'pass', 'logout-revocation': 'pass', 'logout-cookie-clear:sid': 'pass' });
});

it('a logout that deletes the cookie with the wrong Path: the browser keeps it', async () => {
  const run = await audit('badpath');
  const clear = run.report.checks.find((c) => c.ruleId === 'logout-cookie-clear');
  expect(clear?.status).toBe('fail');
  expect(clear?.message).toContain('Path or Domain other than the ones the cookie was set with');
  expect(verdicts(run)).toMatchObject({ 'logout-revocation': 'pass' });
});

it('a pre-login ID kept at login but bound to a cookie set at login: no fixation', async () => {
  const run = await audit('authcookie');
  expect(verdicts(run)).toMatchObject({ 'session-fixation': 'pass', 'session-adoption': 'pass', 'logout-revocation': 'pass' });
});

it('a stateless HMAC token in a cookie: logout cannot revoke it', async () => {
  const run = await audit('jwt');
  expect(run.report.session.cookies.map((c) => c.name)).toEqual(['token']);
  expect(verdicts(run)).toMatchObject({ 'session-fixation': 'skipped', 'session-adoption': 'pass', 'logout-revocation': 'fail', 'logout-cookie-clear:token': 'pass' });
  // A hand-rolled <base64 JSON>.<HMAC> token carries the state: not an ID whose entropy means anything.
  expect(verdicts(run)).toMatchObject({ 'client-side-session': 'fail', 'token-entropy': 'skipped', 'weak-secret': 'skipped' });
});

it('one session per user: the second login of the adoption probe does not disturb the logout verdicts', async () => {
  const run = await audit('single');
  expect(verdicts(run)).toMatchObject({ 'session-adoption': 'pass', 'logout-revocation': 'pass', 'logout-cookie-clear:sid': 'pass' });
});
