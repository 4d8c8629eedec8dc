/**
 * The built CLI with the lifetime flags, as a user runs it: the demo with short policies, a
 * password that cannot be restored (exit 3, 0600 file), and Ctrl-C during the password probe
 * (restored, exit 130).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/report/schema.js';
import { canLogIn, startPasswordApp } from '../apps/password-app.js';
import { BIN, runCli } from '../helpers/cli.js';

const PASSWORD = 'e2e-original-Pw-9Tq!';

describe.concurrent('lifetime flags', () => {
  it('demo --expiry-wait 10s --idle-timeout 3s --max-lifetime 6s: the vulnerable demo\'s session outlives its idle timeout and lifetime; the fixed demo passes', async () => {
    const flags = ['--expiry-wait', '10s', '--idle-timeout', '3s', '--max-lifetime', '6s', '--format', 'json'];
    const [vuln, fixed] = await Promise.all([runCli(['demo', ...flags]), runCli(['demo', '--fixed', ...flags])]);
    const v = reportSchema.parse(JSON.parse(vuln.stdout));
    const status = (r: typeof v, id: string): string[] => r.checks.filter((c) => c.ruleId === id).map((c) => c.status);
    expect(vuln.code).toBe(1);
    expect(status(v, 'idle-timeout')).toEqual(['fail']);
    expect(status(v, 'absolute-timeout')).toEqual(['fail']);
    expect(status(v, 'expiry-enforcement')).toEqual(['skipped']); // MemoryStore without maxAge: no promise
    expect(v.lifetime?.advertised).toEqual([]);
    expect(v.lifetime?.measured.every((m) => m.stillValid)).toBe(true);

    const f = reportSchema.parse(JSON.parse(fixed.stdout));
    expect(fixed.code).toBe(0);
    expect(status(f, 'idle-timeout')).toEqual(['pass']);
    expect(status(f, 'absolute-timeout')).toEqual(['pass']);
    expect(status(f, 'expiry-enforcement')).toEqual(['pass', 'pass']);
    expect(f.lifetime?.advertised).toEqual([expect.objectContaining({ cookie: '__Host-sid', seconds: 3 })]);
    expect(f.lifetime?.measured.some((m) => m.stillValid)).toBe(false);
  }, 40_000);

  it('terminal report shows advertised and measured lifetime side by side', async () => {
    const r = await runCli(['demo', '--expiry-wait', '5s', '--idle-timeout', '2s', '--max-lifetime', '1h', '--no-color']);
    const text = r.stdout.replace(/\s+/g, ' '); // the report wraps to 100 columns
    expect(text).toMatch(/Lifetime: advertised none \(a browser-session cookie\) · measured idle-timeout probe, idle for [\d.]+s: still valid/);
    expect(text).toContain('absolute-timeout skipped: keeping a session busy past policy.maxLifetime (1h) needs --expiry-wait 2h');
  }, 30_000);

  it('the spinner counts the wait down on a terminal', () => {
    const out = execFileSync('script', ['-qec', `stty cols 100 rows 40; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} demo --fixed --expiry-wait 4s --idle-timeout 2s --max-lifetime 1h`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', TERM: 'xterm' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    // All waits at once: the longest one left, then each probe's own countdown.
    // (The expiry probe's own wait may be a second longer: Expires and Date have one-second resolution.)
    expect(out).toMatch(/Waiting 3s for session lifetimes \(.*idle timeout 3s.* left\)/);
    expect(out).toMatch(/Waiting \ds for session lifetimes \(.*idle timeout 2s.* left\)/);
    expect(out).toMatch(/Waiting \ds for session lifetimes \(.*idle timeout 1s.* left\)/);
  });

  it('Ctrl-C during a long wait stops the wait at once: exit 130, the report of the checks that ran, marked incomplete', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--expiry-wait', '10m', '--idle-timeout', '5m', '--verbose'], { env: { PATH: process.env.PATH ?? '', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!sent && stderr.includes('• Waiting ')) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toContain('SIGINT received');
    expect(stderr).toContain('the run was interrupted; the report is incomplete');
    expect(stdout).toMatch(/INCOMPLETE RUN — The run was stopped/);
    // The quick checks ran before the wait and keep their verdicts; the cut-short ones are errors.
    expect(stdout).toMatch(/session-fixation/);
    expect(stdout).toMatch(/idle-timeout error: The idle-timeout probe failed: The run was interrupted/);
  });

  it('a bad duration names the flag: exit 2', async () => {
    const r = await runCli(['demo', '--expiry-wait', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--expiry-wait (expiry.maxWait)');
  });
});

describe.concurrent('password change from the CLI', () => {
  async function setup(mode: 'no-reuse' | 'keep-others', onChange?: () => void) {
    const app = await startPasswordApp(mode, PASSWORD, onChange);
    const cwd = await mkdtemp(join(tmpdir(), 'session-audit-pw-'));
    const cfg = join(cwd, 'audit.json');
    await writeFile(cfg, JSON.stringify({ target: app.url, login: { url: '/api/login' }, credentials: { username: 'alice' }, authCheck: { url: '/me' }, passwordChange: { url: '/api/password' } }));
    return { app, cwd, cfg };
  }

  it('a restore that keeps failing: exit 3, a loud message with only the path of a 0600 file holding the temporary password', async () => {
    const { app, cwd, cfg } = await setup('no-reuse');
    try {
      const r = await runCli(['--config', cfg, '--allow-password-change', '--format', 'json'], { SESSION_AUDIT_PASSWORD: PASSWORD }, { cwd });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('THE PASSWORD OF alice WAS NOT RESTORED');
      const files = (await readdir(cwd)).filter((f) => f.startsWith('session-audit-temporary-password-'));
      expect(files).toHaveLength(1);
      const file = join(cwd, files[0] as string);
      expect(r.stderr).toContain(file);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const temp = (await readFile(file, 'utf8')).trim();
      expect(temp).toBe(app.password());
      expect(r.stdout + r.stderr).not.toContain(temp);
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
      // The file's password is the one that logs in now; the original no longer does.
      expect(await canLogIn(app.url, temp)).toBe(true);
      expect(await canLogIn(app.url, PASSWORD)).toBe(false);
    } finally {
      await app.close();
    }
  }, 30_000);

  it('SIGINT while the password is changed: restored first, then exit 130', async () => {
    let child: import('node:child_process').ChildProcess | undefined;
    const { app, cwd, cfg } = await setup('keep-others', () => child?.kill('SIGINT'));
    try {
      const r = await runCli(['--config', cfg, '--allow-password-change'], { SESSION_AUDIT_PASSWORD: PASSWORD }, { cwd, onSpawn: (c) => (child = c) });
      expect(r.code).toBe(130);
      expect(r.stderr).toContain('interrupted');
      expect(app.changes()).toBe(2);
      expect(app.password()).toBe(PASSWORD);
      expect(await canLogIn(app.url, PASSWORD)).toBe(true);
    } finally {
      await app.close();
    }
  }, 30_000);
});
