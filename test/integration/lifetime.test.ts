/**
 * The waiting probes on real frameworks with lifetimes of seconds: each rule both ways.
 * express-session's MemoryStore, cookie-session and JWT-in-cookie apps (test/apps/lifetime-apps.ts).
 */
import { describe, expect, it } from 'vitest';
import { runAudit, type AuditRun } from '../../src/audit.js';
import { Secret, validateConfig } from '../../src/config/load.js';
import { startLifetimeApp, type LifetimeDesign } from '../apps/lifetime-apps.js';

const PASSWORD = 'lifetime-pw-7Qx!';

async function audit(design: LifetimeDesign, policy: { idleTimeout: string; maxLifetime: string }, maxWait = '8s'): Promise<AuditRun> {
  const app = await startLifetimeApp(design, PASSWORD);
  try {
    const config = validateConfig({
      target: app.url,
      login: { url: '/api/login' },
      credentials: { username: 'alice' },
      authCheck: { url: '/me' },
      policy,
      expiry: { maxWait },
    });
    return await runAudit({ config, password: new Secret(PASSWORD) });
  } finally {
    await app.close();
  }
}

function statuses(run: AuditRun, id: string): string[] {
  return run.report.checks.filter((c) => c.ruleId === id).map((c) => c.status);
}

function message(run: AuditRun, id: string, startsWith = ''): string {
  return run.report.checks.find((c) => c.ruleId === id && c.message.startsWith(startsWith))?.message ?? '';
}

// Long policies keep the other waiting probes out of the way when a test is about one rule.
const LONG = { idleTimeout: '30m', maxLifetime: '24h' };

describe.concurrent('expiry-enforcement', () => {
  it('express-session, 2s maxAge, rolling: the server ends the session at the promise, idle and busy → pass', async () => {
    const run = await audit('es-rolling', LONG);
    expect(statuses(run, 'expiry-enforcement')).toEqual(['pass', 'pass']);
    const exp = run.evidence.probes.expiry;
    expect(exp?.status === 'ok' && exp.data.promise).toMatchObject({ cookie: 'sid', source: 'expires', seconds: 2 });
    // The busy half followed the re-issued cookie (rolling) and still saw the session end.
    expect(exp?.status === 'ok' && exp.data.busy.status === 'ok' && exp.data.busy.data.reissued.length).toBeGreaterThan(0);
    // Expires and Date are whole seconds, and Node stamps Date from a clock it refreshes once a
    // second: a 2 s cookie can read as 3 s (never less than 2).
    const advertised = run.report.lifetime?.advertised ?? [];
    expect(advertised).toHaveLength(1);
    expect(advertised[0]).toMatchObject({ cookie: 'sid', source: 'expires' });
    expect([2, 3]).toContain(advertised[0]?.seconds);
    expect(advertised[0]?.text).toBe(`sid: ${advertised[0]?.seconds}s (Expires)`);
    expect(run.report.lifetime?.measured.map((m) => [m.probe, m.stillValid])).toEqual([['expiry-idle', false], ['expiry-busy', false]]);
  });

  it('express-session, 2s maxAge, not rolling: ends when idle, but kept busy it outlives the Expires it never re-issues → busy half fails', async () => {
    const run = await audit('es-fixed', LONG);
    expect(statuses(run, 'expiry-enforcement')).toEqual(['pass', 'fail']);
    expect(message(run, 'expiry-enforcement', 'Kept busy')).toContain('never re-issued');
  });

  it('cookie-session, 2s maxAge: the expiry lives only in the cookie, a replayed copy still works → fail', async () => {
    const run = await audit('cookie-session', LONG);
    expect(statuses(run, 'expiry-enforcement')).toEqual(['fail', 'fail']);
    expect(message(run, 'expiry-enforcement', 'Left idle')).toMatch(/still accepted the session .* after the 2s expiry it promised/);
  });

  it('a JWT in a browser-session cookie whose exp the server ignores → fail; one whose exp it checks → pass', async () => {
    const [ignored, checked] = await Promise.all([audit('jwt-noexp', LONG), audit('jwt-exp', LONG)]);
    const promise = ignored.evidence.probes.expiry;
    expect(promise?.status === 'ok' && promise.data.promise.source).toBe('jwt-exp');
    expect(statuses(ignored, 'expiry-enforcement')).toEqual(['fail', 'fail']);
    expect(statuses(checked, 'expiry-enforcement')).toEqual(['pass', 'pass']);
  });

  it('a checked 2s JWT behind a Date header an hour ahead: the promise is not read as already past → pass, not fail', async () => {
    const run = await audit('jwt-date-ahead', LONG);
    expect(statuses(run, 'expiry-enforcement')).toEqual(['pass', 'pass']);
    const exp = run.evidence.probes.expiry;
    expect(exp?.status === 'ok' && exp.data.promise.seconds).toBeGreaterThanOrEqual(1);
  });

  it('a 2s access JWT next to a 1h refresh cookie: the session lasts until the latest promise, so no false fail', async () => {
    const run = await audit('jwt-refresh', LONG);
    expect(run.report.session.cookies.map((c) => [c.name, c.essential])).toEqual([['token', false], ['refresh', false]]);
    expect(statuses(run, 'expiry-enforcement')).toEqual(['skipped']);
    expect(message(run, 'expiry-enforcement')).toContain('promised expiry (1h) needs --expiry-wait');
  });

  it('no promise (a browser-session cookie) → skipped with the reason', async () => {
    const run = await audit('es-nomaxage', LONG);
    expect(statuses(run, 'expiry-enforcement')).toEqual(['skipped']);
    expect(message(run, 'expiry-enforcement')).toContain('promises no expiry');
  });

  it('a promise longer than the budget → skipped with the flag value that would let it run', async () => {
    const run = await audit('es-rolling', LONG, '2s');
    expect(statuses(run, 'expiry-enforcement')).toEqual(['skipped']);
    expect(message(run, 'expiry-enforcement')).toContain('needs --expiry-wait 3s');
  });
});

describe.concurrent('idle-timeout', () => {
  it('MemoryStore without maxAge: the session survives 2s idle → fail', async () => {
    const run = await audit('es-nomaxage', { idleTimeout: '2s', maxLifetime: '24h' });
    expect(statuses(run, 'idle-timeout')).toEqual(['fail']);
    expect(run.report.lifetime?.measured).toEqual([expect.objectContaining({ probe: 'idle-timeout', stillValid: true })]);
  });

  it('express-session with a 2s rolling maxAge: the session ends when idle → pass', async () => {
    const run = await audit('es-rolling', { idleTimeout: '2s', maxLifetime: '24h' });
    expect(statuses(run, 'idle-timeout')).toEqual(['pass']);
  });

  it('default 30m policy with the default 0s budget → skipped, naming the flag', async () => {
    const run = await audit('es-nomaxage', LONG, '0s');
    expect(message(run, 'idle-timeout')).toBe('staying idle for policy.idleTimeout (30m) needs --expiry-wait 33m; the wait budget is 0s (the default)');
    expect(run.report.lifetime?.measured).toEqual([]);
  });
});

describe.concurrent('a session ID rotated on every request', () => {
  // The alive check before the clocks start already rotates the ID and destroys the login's one:
  // replaying the login's values would read as a timeout the server does not have.
  it('no idle or absolute timeout: the replays start from the ID the last request left → idle-timeout and absolute-timeout fail', async () => {
    const run = await audit('es-rotate', { idleTimeout: '2s', maxLifetime: '3s' });
    expect(statuses(run, 'idle-timeout')).toEqual(['fail']);
    expect(statuses(run, 'absolute-timeout')).toEqual(['fail']);
  });
});

describe.concurrent('absolute-timeout', () => {
  it('a rolling session kept busy never ends → fail with a 3s policy', async () => {
    const run = await audit('es-rolling', { idleTimeout: '2s', maxLifetime: '3s' });
    expect(statuses(run, 'absolute-timeout')).toEqual(['fail']);
    const d = run.evidence.probes.absoluteTimeout;
    expect(d?.status === 'ok' && d.data.requests).toBeGreaterThanOrEqual(4);
    // The same run: the idle timeout is enforced, so only the absolute one fails.
    expect(statuses(run, 'idle-timeout')).toEqual(['pass']);
  });

  it('a rolling session with a 3s absolute lifetime ends while busy → pass', async () => {
    const run = await audit('es-absolute', { idleTimeout: '2s', maxLifetime: '3s' });
    expect(statuses(run, 'absolute-timeout')).toEqual(['pass']);
    const d = run.evidence.probes.absoluteTimeout;
    // Kept alive by the busy requests for most of its 3s, then ended (the clock starts after login).
    expect(d?.status === 'ok' && d.data.lastLoggedInAtMs).toBeGreaterThanOrEqual(2000);
    expect(d?.status === 'ok' && d.data.loggedOutAtMs).toBeLessThan(5000);
  });
});

it('one session per user: the waiting probes\' own logins end each other\'s sessions → the earlier ones are skipped, not judged', async () => {
  const { start } = await import('../apps/session-designs.js');
  const app = await start('single', PASSWORD);
  try {
    const config = validateConfig({
      target: app.url,
      login: { url: '/login' },
      credentials: { username: 'alice' },
      authCheck: { url: '/me' },
      policy: { idleTimeout: '1s', maxLifetime: '2s' },
      expiry: { maxWait: '4s' },
    });
    const run = await runAudit({ config, password: new Secret(PASSWORD) });
    // idle-timeout logged in first, absolute-timeout last: only the last session was still alive.
    expect(statuses(run, 'idle-timeout')).toEqual(['skipped']);
    expect(message(run, 'idle-timeout')).toContain('when another browser logged in (one session per user?)');
    expect(statuses(run, 'absolute-timeout')).toEqual(['fail']);
  } finally {
    await app.close();
  }
});

it('with a logout endpoint, every session the waiting probes opened is logged out at the end', async () => {
  const app = await startLifetimeApp('es-nomaxage', PASSWORD);
  try {
    const config = validateConfig({
      target: app.url,
      login: { url: '/api/login' },
      credentials: { username: 'alice' },
      authCheck: { url: '/me' },
      logout: { url: '/logout' },
      policy: { idleTimeout: '1s', maxLifetime: '2s' },
      expiry: { maxWait: '4s' },
    });
    const run = await runAudit({ config, password: new Secret(PASSWORD) });
    expect(statuses(run, 'idle-timeout')).toEqual(['fail']);
    expect(run.evidence.exchanges.filter((e) => e.purpose.startsWith('cleanup: log out the lifetime probe session')).map((e) => e.status)).toEqual([204, 204]);
    const left = (await (await fetch(`${app.url}/debug/sessions`)).json()) as { loggedIn: number };
    expect(left.loggedIn).toBe(0);
  } finally {
    await app.close();
  }
});
