/**
 * password-change-revocation on real express-session apps. Every test ends by proving that the
 * account's original password still logs in.
 */
import { describe, expect, it } from 'vitest';
import { runAudit, type AuditRun } from '../../src/audit.js';
import { Secret, validateConfig } from '../../src/config/load.js';
import type { JsonValue } from '../../src/config/schema.js';
import { InterruptedError } from '../../src/errors.js';
import { canLogIn, startPasswordApp, type PasswordApp, type PasswordMode } from '../apps/password-app.js';

const PASSWORD = 'original-pw-3Zr!';

function config(app: PasswordApp, passwordChange: Record<string, JsonValue> | undefined, allow: boolean) {
  return validateConfig({
    target: app.url,
    login: { url: '/api/login' },
    credentials: { username: 'alice' },
    authCheck: { url: '/me' },
    ...(passwordChange ? { passwordChange } : {}),
    allowPasswordChange: allow,
  });
}

const JSON_CHANGE = { url: '/api/password' };

async function audit(mode: PasswordMode, passwordChange: Record<string, JsonValue> | null = JSON_CHANGE, allow = true): Promise<{ run: AuditRun; app: PasswordApp }> {
  const app = await startPasswordApp(mode, PASSWORD);
  try {
    const run = await runAudit({ config: config(app, passwordChange ?? undefined, allow), password: new Secret(PASSWORD) });
    return { run, app };
  } catch (err) {
    await app.close();
    throw err;
  }
}

function check(run: AuditRun) {
  return run.report.checks.find((c) => c.ruleId === 'password-change-revocation');
}

async function provenRestored(app: PasswordApp): Promise<void> {
  try {
    expect(app.password()).toBe(PASSWORD);
    expect(await canLogIn(app.url, PASSWORD)).toBe(true);
  } finally {
    await app.close();
  }
}

describe.concurrent('password-change-revocation', () => {
  it('an app that destroys the other sessions (form with a CSRF page) → pass; the password is changed and restored', async () => {
    const { run, app } = await audit('destroy-others', { url: '/account/password', type: 'form', page: '/account/password', body: { current: '{{password}}', next: '{{newPassword}}' } });
    expect(check(run)?.status).toBe('pass');
    const ev = run.evidence.probes.passwordChange;
    expect(ev?.status === 'ok' && ev.data).toMatchObject({ restored: true, restoreAttempts: 1, oldPasswordLogin: { loggedIn: false }, newPasswordLogin: { loggedIn: true } });
    expect(app.changes()).toBe(2); // to the temporary password and back
    await provenRestored(app);
  });

  it('an app that keeps the other sessions → fail', async () => {
    const { run, app } = await audit('keep-others');
    expect(check(run)?.status).toBe('fail');
    expect(check(run)?.message).toContain('session A was still logged in');
    await provenRestored(app);
  });

  it('the temporary password is strong, appears nowhere in the report or the evidence, and is masked in any text', async () => {
    const { run, app } = await audit('keep-others');
    const temp = app.history().find((p) => p !== PASSWORD) as string;
    expect(temp).toMatch(/^[A-Za-z0-9_-]{24}Aa1!$/);
    const seen = JSON.stringify(run.report) + JSON.stringify(run.evidence);
    expect(seen).not.toContain(temp);
    expect(seen).not.toContain(PASSWORD);
    expect(run.redactor.clean(`a ${temp} b`)).toBe('a [password] b');
    await provenRestored(app);
  });

  it('a change that does not take effect → error, not a verdict', async () => {
    const { run, app } = await audit('ignore');
    expect(check(run)?.status).toBe('error');
    expect(check(run)?.message).toContain('did not take effect');
    await provenRestored(app);
  });

  it('not opted in: config without --allow-password-change → skipped, nothing changed; the flag without config → a config error before any request', async () => {
    const a = await audit('keep-others', JSON_CHANGE, false);
    expect(check(a.run)?.message).toContain('--allow-password-change was not given');
    expect(a.app.changes()).toBe(0);
    await provenRestored(a.app);
    await expect(audit('keep-others', null, true)).rejects.toThrow(/allowed but not configured/);
  });

  it('a failure in the middle of the probe (a login connection cut after the change) → error, and the password is restored', async () => {
    const { run, app } = await audit('drop-after-change');
    expect(check(run)?.status).toBe('error');
    const ev = run.evidence.probes.passwordChange;
    expect(ev?.status).toBe('error');
    expect(app.changes()).toBe(2);
    await provenRestored(app);
  });

  it('interrupted (the abort signal fires as the change arrives): the password is restored before the run ends', async () => {
    const controller = new AbortController();
    const app = await startPasswordApp('keep-others', PASSWORD, () => controller.abort());
    const run = await runAudit({ config: config(app, JSON_CHANGE, true), password: new Secret(PASSWORD) }, { signal: controller.signal });
    // The interrupted probe is an error, never a verdict, and the run says it is incomplete.
    expect(run.report.checks.find((c) => c.ruleId === 'password-change-revocation')?.status).toBe('error');
    expect(run.report.incomplete?.reason).toMatch(/stopped/);
    expect(run.report.gate.passed).toBe(false);
    expect(app.changes()).toBe(2);
    await provenRestored(app);
  });
});
