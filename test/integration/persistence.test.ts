/**
 * session-persistence on a target restarted by a shell command: express-session's MemoryStore
 * loses every session (fail); connect-redis on a real redis-server keeps them (pass).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit, type AuditRun } from '../../src/audit.js';
import { Secret, validateConfig } from '../../src/config/load.js';
import { startRedis, type RunningRedis } from '../helpers/redis.js';
import { startRestartable, type Restartable } from '../helpers/restartable.js';

const PASSWORD = 'restart-pw-5Hn!';
let redis: RunningRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

async function audit(app: Restartable, restart: Record<string, string> | undefined): Promise<AuditRun> {
  const config = validateConfig({
    target: app.url,
    login: { url: '/api/login' },
    credentials: { username: 'alice' },
    authCheck: { url: '/me' },
    ...(restart ? { restart } : {}),
  });
  return runAudit({ config, password: new Secret(PASSWORD) });
}

function check(run: AuditRun) {
  return run.report.checks.find((c) => c.ruleId === 'session-persistence');
}

describe.concurrent('session-persistence', () => {
  it('express-session MemoryStore: the session is lost on restart → fail, fix names the MemoryStore', async () => {
    const app = await startRestartable({ PASSWORD, SECRET: 'a-stable-secret-1', STORE: 'memory' });
    try {
      const run = await audit(app, { command: app.restartCommand, readyUrl: '/' });
      expect(app.starts()).toBe(2);
      expect(check(run)?.status).toBe('fail');
      expect(check(run)?.fix).toContain('MemoryStore');
      expect(check(run)?.snippet).toContain('RedisStore');
      expect(run.report.lifetime?.measured).toEqual([expect.objectContaining({ probe: 'restart', stillValid: false })]);
    } finally {
      await app.close();
    }
  });

  it('connect-redis on a real Redis: the session survives the restart → pass (readiness by polling the target)', async () => {
    const app = await startRestartable({ PASSWORD, SECRET: 'a-stable-secret-2', STORE: 'redis', REDIS_URL: redis.url });
    try {
      const run = await audit(app, { command: app.restartCommand });
      expect(app.starts()).toBe(2);
      expect(check(run)?.status).toBe('pass');
      const ev = run.evidence.probes.persistence;
      expect(ev?.status === 'ok' && ev.data.ready.by).toBe('url');
    } finally {
      await app.close();
    }
  });

  it('connect-redis with the ID regenerated on every request: the copy from the last request before the restart still works → pass', async () => {
    // The alive check before the restart rotates the ID and destroys the login's: replaying the
    // login's values would blame the restart for what the rotation did.
    const app = await startRestartable({ PASSWORD, SECRET: 'a-stable-secret-4', STORE: 'redis', REDIS_URL: redis.url, ROTATE: '1' });
    try {
      const run = await audit(app, { command: app.restartCommand, readyUrl: '/' });
      expect(app.starts()).toBe(2);
      expect(check(run)?.status).toBe('pass');
    } finally {
      await app.close();
    }
  });

  it('no --restart-command → skipped with the reason; a failing command → error with its exit code', async () => {
    const app = await startRestartable({ PASSWORD, SECRET: 'a-stable-secret-3', STORE: 'memory' });
    try {
      const none = await audit(app, undefined);
      expect(check(none)?.status).toBe('skipped');
      expect(check(none)?.message).toContain('no --restart-command given');
      const failing = await audit(app, { command: 'echo "cannot restart" >&2; exit 7' });
      expect(check(failing)?.status).toBe('error');
      expect(check(failing)?.message).toContain('exited with 7 ("cannot restart")');
      expect(app.starts()).toBe(1);
    } finally {
      await app.close();
    }
  });
});

it('a restart command that hangs is stopped after restart.timeout, its whole process group included', async () => {
  const { runRestartCommand } = await import('../../src/probes/persistence.js');
  const r = await runRestartCommand('sleep 30 & sleep 30; echo never', 300);
  expect(r.timedOut).toBe(true);
  expect(r.output).not.toContain('never');
});

// It was only sent SIGTERM: a command that ignores it (trap '' TERM, inherited by sleep) kept the
// probe waiting forever, past restart.timeout and --deadline.
it('a restart command that ignores SIGTERM is killed, so the probe still ends after restart.timeout', async () => {
  const { runRestartCommand } = await import('../../src/probes/persistence.js');
  const r = await runRestartCommand("trap '' TERM; sleep 30; echo never", 300);
  expect(r.timedOut).toBe(true);
  expect(r.signal).toBe('SIGKILL');
  expect(r.output).not.toContain('never');
});
