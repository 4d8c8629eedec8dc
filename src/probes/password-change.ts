/**
 * Password change (ASVS 5.0 V7.4.3): session A logs in, session B logs in, B changes the password
 * to a generated temporary one, and a copy of A's cookies is replayed. Opt-in only: the config's
 * `passwordChange` and --allow-password-change.
 *
 * The account must never be left worse off: the temporary password is random, never printed or
 * stored (the Redactor masks it everywhere), and a `finally` changes the password back and proves
 * it with a fresh login — also when the run is interrupted. If that keeps failing, the temporary
 * password is written to a file only the user can read (mode 0600) and the run exits 3.
 */
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { login } from '../auth/login.js';
import { checkAuth } from '../auth/oracle.js';
import { extractForms } from '../auth/html.js';
import { fillTemplate, toFormFields } from '../auth/template.js';
import { Secret } from '../config/load.js';
import type { PasswordChangeConfig } from '../config/schema.js';
import { PasswordRestoreError } from '../errors.js';
import { holdInterrupts } from '../interrupts.js';
import type { OracleObservation, PasswordChangeEvidence, ProbeOutcome } from '../evidence/types.js';
import type { Actor, ActorResponse } from '../http/actor.js';
import { errorMessage, newActor, type ProbeContext } from './context.js';
import { checkAlive, ENDED_BY_OTHER_LOGIN, InterruptedError, logOutSessions, openSession, replay, sleep, type HeldCookie } from './lifetime.js';

/** Strong and accepted by common password rules: 144 random bits plus each character class. */
export function temporaryPassword(): string {
  return `${randomBytes(18).toString('base64url')}Aa1!`;
}

/** Send the configured change request from a logged-in browser: current → next. */
export async function sendPasswordChange(actor: Actor, cfg: PasswordChangeConfig, target: URL, vars: { username: string; password: string; newPassword: string }, label: string): Promise<ActorResponse & { allExchangeIds: number[] }> {
  const url = new URL(cfg.url, target);
  const ids: number[] = [];
  let hidden: Record<string, string> = {};
  if (cfg.page) {
    const page = await actor.send(`${label}: fetch page for CSRF token`, { url: new URL(cfg.page, target) });
    ids.push(...page.exchangeIds);
    const form = extractForms(page.body).find((f) => new URL(f.action ?? page.url.href, page.url).pathname === url.pathname);
    if (form) hidden = Object.fromEntries(form.inputs.filter((i) => i.type === 'hidden').map((i) => [i.name, i.value]));
  }
  const headers: Record<string, string> = { ...cfg.headers };
  let body: string;
  if (cfg.type === 'json') {
    headers['content-type'] = 'application/json';
    headers.accept = 'application/json';
    const filled = fillTemplate(cfg.body, vars);
    body = JSON.stringify(typeof filled === 'object' && filled !== null && !Array.isArray(filled) ? { ...hidden, ...filled } : filled);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams({ ...hidden, ...toFormFields(cfg.body, vars) }).toString();
  }
  const res = await actor.send(`${label}: ${cfg.method} ${url.pathname}`, { method: cfg.method, url, headers, body });
  ids.push(...res.exchangeIds);
  return { ...res, allExchangeIds: ids };
}

async function loginWith(ctx: ProbeContext, password: Secret, purpose: string): Promise<{ actor: Actor; obs: OracleObservation }> {
  const actor = newActor(ctx, 'probe');
  await login(actor, { ...ctx.loginTarget, password }, purpose);
  const obs = await checkAuth(actor, ctx.config.authCheck, ctx.authCheckUrl, `${purpose}: logged-in check`);
  return { actor, obs };
}

/** Backoff between restore attempts (ms). */
export const RESTORE_BACKOFF = [0, 500, 1500, 4000];

/**
 * Change the password back and prove it with a fresh login. Never aborted by the signal: it is
 * what must happen when the run is interrupted.
 */
async function restore(ctx: ProbeContext, cfg: PasswordChangeConfig, temp: Secret): Promise<{ restored: boolean; attempts: number; lastProblem: string }> {
  // Neither Ctrl-C, --deadline nor --max-requests may stop the restore (scope, rate and timeouts still apply).
  const calm: ProbeContext = { ...ctx, http: { ...ctx.http, cleanup: true } };
  delete calm.signal;
  const original = ctx.password;
  let lastProblem = '';
  for (let i = 0; i < RESTORE_BACKOFF.length; i += 1) {
    await sleep(RESTORE_BACKOFF[i] as number);
    try {
      calm.progress(`Password change: restoring the original password (attempt ${i + 1})`);
      const proof = await loginWith(calm, original, `password restore ${i + 1}: login with the original password`);
      if (proof.obs.loggedIn) return { restored: true, attempts: i + 1, lastProblem };
      const withTemp = await loginWith(calm, temp, `password restore ${i + 1}: login with the temporary password`);
      if (!withTemp.obs.loggedIn) {
        lastProblem = `neither the original nor the temporary password logs in (${withTemp.obs.why})`;
        continue;
      }
      const res = await sendPasswordChange(withTemp.actor, cfg, ctx.http.target, { username: ctx.loginTarget.username, password: temp.reveal(), newPassword: original.reveal() }, `password restore ${i + 1}: change back`);
      lastProblem = `the change back answered ${res.status}`;
      const after = await loginWith(calm, original, `password restore ${i + 1}: proof login with the original password`);
      if (after.obs.loggedIn) return { restored: true, attempts: i + 1, lastProblem };
      lastProblem += `, and a login with the original password then failed (${after.obs.why})`;
    } catch (err) {
      lastProblem = errorMessage(err);
    }
  }
  return { restored: false, attempts: RESTORE_BACKOFF.length, lastProblem };
}

/** Where the temporary password goes when it cannot be restored: the current directory, else the home directory. */
async function writeTempPassword(password: string, dirs: string[]): Promise<string | undefined> {
  const name = `session-audit-temporary-password-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`;
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      const fh = await open(path, 'wx', 0o600);
      try {
        await fh.writeFile(`${password}\n`);
      } finally {
        await fh.close();
      }
      return path;
    } catch {
      // try the next place
    }
  }
  return undefined;
}

export async function probePasswordChange(ctx: ProbeContext): Promise<ProbeOutcome<PasswordChangeEvidence>> {
  const cfg = ctx.config.passwordChange;
  if (!cfg) return { status: 'skipped', reason: 'no passwordChange endpoint configured (this opt-in probe changes the password and restores it; it needs "passwordChange" in the config and --allow-password-change)' };
  if (!ctx.config.allowPasswordChange) {
    return { status: 'skipped', reason: 'passwordChange is configured but --allow-password-change was not given: this probe changes the account\'s real password (and restores it), so it needs both' };
  }
  const temp = new Secret(temporaryPassword());
  ctx.http.redactor.rememberPassword(temp.reveal());
  let sent = false;
  const opened: HeldCookie[][] = [];
  let outcome: ProbeOutcome<PasswordChangeEvidence> | undefined;
  let interrupted: unknown;
  let release: (() => void) | undefined;
  try {
    ctx.progress('Password change: logging in sessions A and B');
    const a = await openSession(ctx, 'password change (session A)');
    opened.push(a.held);
    const b = await openSession(ctx, 'password change (session B)');
    opened.push(b.held);
    const aBefore = await checkAlive(ctx, a, 'password change (session A)');
    const bBefore = await checkAlive(ctx, b, 'password change (session B)');
    // The checks may have rotated the IDs: clean up the values the sessions hold now.
    opened.splice(0, 2, a.held, b.held);
    if (!aBefore.loggedIn) return (outcome = { status: 'skipped', reason: `${ENDED_BY_OTHER_LOGIN} (${aBefore.why})` });
    if (!bBefore.loggedIn) return (outcome = { status: 'error', error: `session B was not logged in before the change (${bBefore.why})` });
    ctx.progress('Password change: B changes the password to a temporary one');
    // From here until the original password is proven back, a second Ctrl-C does not exit.
    release = holdInterrupts();
    sent = true;
    const res = await sendPasswordChange(b.actor, cfg, ctx.http.target, { username: ctx.loginTarget.username, password: ctx.password.reveal(), newPassword: temp.reveal() }, 'password change (session B)');
    const first = ctx.http.exchanges.find((e) => e.id === res.exchangeIds[0]);
    const changeStatus = first?.status ?? res.status;
    const bAfter = await checkAuth(b.actor, ctx.config.authCheck, ctx.authCheckUrl, 'password change (session B): after the change');
    // A's copy first: the logins below could end A on a one-session-per-user server.
    const { obs: aReplay } = await replay(ctx, a.held, 'password change: replay of session A\'s cookies after the change (fresh copy)');
    const oldLogin = await loginWith(ctx, ctx.password, 'password change: login with the old password (must fail)');
    const newLogin = await loginWith(ctx, temp, 'password change: login with the new password (must work)');
    for (const l of [oldLogin, newLogin]) if (l.obs.loggedIn) opened.push(l.actor.cookiesFor(ctx.authCheckUrl).map((c) => ({ name: c.name, value: c.value, path: c.path, secure: c.secure })));
    const oldPasswordLogin = oldLogin.obs;
    const newPasswordLogin = newLogin.obs;
    outcome = {
      status: 'ok',
      data: { aBefore, changeStatus, changeExchangeIds: res.allExchangeIds, bAfter, oldPasswordLogin, newPasswordLogin, aReplay, restored: false, restoreAttempts: 0 },
    };
  } catch (err) {
    if (err instanceof InterruptedError) interrupted = err;
    else outcome = { status: 'error', error: errorMessage(err) };
  } finally {
    if (sent) {
      const r = await restore(ctx, cfg, temp).finally(() => release?.());
      if (!r.restored) {
        const file = await writeTempPassword(temp.reveal(), [process.cwd(), process.env.HOME ?? '']);
        throw new PasswordRestoreError(
          `!!! THE PASSWORD OF ${ctx.loginTarget.username} WAS NOT RESTORED !!! The password-change probe sent a change to a temporary password and then could not prove, after ${r.attempts} attempts, that the original password logs in again (${ctx.http.redactor.clean(r.lastProblem)}). ` +
            (file
              ? `The temporary password is in ${file} (readable only by you); log in with it and set the password back by hand, then delete the file.`
              : 'The temporary password could not be written to a file either (current and home directory not writable); reset the password through the site\'s recovery flow.'),
          file,
        );
      }
      if (outcome?.status === 'ok') {
        outcome.data.restored = true;
        outcome.data.restoreAttempts = r.attempts;
      }
    }
  }
  if (interrupted) throw interrupted;
  await logOutSessions(ctx, opened, 'password-change');
  return outcome as ProbeOutcome<PasswordChangeEvidence>;
}
