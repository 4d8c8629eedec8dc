/**
 * The built CLI, spawned as a user runs it (npm test builds first). Each documented exit code is
 * proven here: 0 gate passed, 1 gate failed, 2 usage/config error, 3 audit could not run.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type RunningDemo } from '../../src/demo/app.js';
import { reportSchema } from '../../src/report/schema.js';
import { BIN, runCli, type CliRun } from '../helpers/cli.js';
import { freePort } from '../helpers/redis.js';

const PASSWORD = 'e2e-Pa55word-that-must-never-print';

const run = (args: string[], env: Record<string, string> = {}): Promise<CliRun> => runCli(args, env);
const closedPort = freePort; // bound, read and released: nobody listens there

let demo: RunningDemo;
let dir: string;

beforeAll(async () => {
  demo = await startDemo({ fixed: false, password: PASSWORD });
  dir = await mkdtemp(join(tmpdir(), 'session-audit-e2e-'));
});
afterAll(async () => {
  await demo.close();
});

function demoFlags(): string[] {
  return [demo.url, '--login', '/login', '--login-type', 'form', '--username', 'alice', '--auth-check', '/me', '--logout', '/logout'];
}

describe.concurrent('exit codes', () => {
  it('0: the hardened demo passes the gate and grades A (A+ needs the opt-in lifetime probes too)', async () => {
    const r = await run(['demo', '--fixed', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.grade).toBe('A');
    expect(report.gradeNote).toBe('A, not A+: some checks did not run');
    // Without --expiry-wait the waiting probes say exactly which flag would let them run.
    expect(report.checks.find((c) => c.ruleId === 'idle-timeout')?.message).toContain('needs --expiry-wait 33m');
    expect(report.gate.passed).toBe(true);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('1: the vulnerable demo fails the gate, grades F, with the expected findings', async () => {
    const r = await run(['demo', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.grade).toBe('F');
    const failed = new Set(report.checks.filter((c) => c.status === 'fail').map((c) => c.ruleId));
    for (const id of ['session-fixation', 'cookie-httponly', 'cookie-secure', 'cookie-samesite', 'cookie-name-fingerprint', 'logout-revocation']) {
      expect(failed.has(id), id).toBe(true);
    }
    // The logout fix clears the cookie the app really uses.
    expect(report.checks.find((c) => c.ruleId === 'logout-revocation')?.snippet).toContain("res.clearCookie('connect.sid'");
  });

  it("1: demo --prove names 'keyboard cat' and proves it with a forged cookie the server accepts", async () => {
    const r = await run(['demo', '--prove', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    const weak = report.checks.find((c) => c.ruleId === 'weak-secret');
    expect(weak).toMatchObject({ status: 'fail', severity: 'high', cookie: 'connect.sid' });
    expect(weak?.message).toContain('"keyboard cat"');
    expect(weak?.message).toContain('Proven: the server accepted the forged cookie and refused the same cookie signed with a random secret');
    // The two proof requests (forged, control) are in the report, their cookies masked.
    const proof = report.exchanges.filter((e) => weak?.exchangeIds.includes(e.id));
    expect(proof.map((e) => [e.actor, e.status])).toEqual([
      ['attacker', 200],
      ['attacker', 401],
    ]);
    expect(proof.every((e) => e.sentCookies.every((c) => c.value.raw === undefined && c.value.masked.endsWith('…')))).toBe(true);
  });

  it('0: demo --fixed --prove: the random secret is not found, nothing is sent to prove', async () => {
    const r = await run(['demo', '--fixed', '--prove', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.checks.find((c) => c.ruleId === 'weak-secret')?.status).toBe('pass');
    expect(report.exchanges.some((e) => e.purpose.startsWith('weak secret proof'))).toBe(false);
  });

  it('2: --wordlist naming a missing file, before any request', async () => {
    const r = await run([...demoFlags(), '--wordlist', join(dir, 'missing.txt')], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Cannot read --wordlist file');
    expect(r.stderr).toContain('no such file');
    expect(r.stderr).not.toContain('    at ');
  });

  it('2: --entropy-samples that is not a whole number', async () => {
    const r = await run([...demoFlags(), '--entropy-samples', 'lots'], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--entropy-samples: expected a whole number');
  });

  it('1 → 0: --fail-on none and no --min-score turns the same findings into a passing gate', async () => {
    const r = await run([...demoFlags(), '--fail-on', 'none', '--format', 'json'], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(0);
    const failing = await run([...demoFlags(), '--fail-on', 'none', '--min-score', '50', '--format', 'json'], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.stdout).gate.reasons.join(' ')).toContain('below --min-score 50');
  });

  it('2: an unknown flag', async () => {
    const r = await run(['https://example.test', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--no-such-flag');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('2: an invalid config file names the exact field', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ target: demo.url, login: { url: '/login', methd: 'POST' }, credentials: {}, authCheck: { url: '/me' } }));
    const r = await run(['--config', path], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('login.methd: unknown key');
    expect(r.stderr).toContain('credentials.username');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('2: a config file that is not JSON', async () => {
    const path = join(dir, 'syntax.json');
    await writeFile(path, '{ "target": ');
    const r = await run(['--config', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not valid JSON');
  });

  it('2: the password variable is not set', async () => {
    const r = await run(demoFlags());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SESSION_AUDIT_PASSWORD');
  });

  it('3: the target is unreachable', async () => {
    const port = await closedPort();
    const r = await run([`http://127.0.0.1:${port}`, '--login', '/login', '--username', 'alice', '--auth-check', '/me'], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Connection refused');
    expect(r.stdout).toBe('');
  });

  it('3: the login fails (wrong password)', async () => {
    const r = await run(demoFlags(), { SESSION_AUDIT_PASSWORD: 'wrong-password' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Login failed');
    expect(r.stderr).not.toContain('wrong-password');
  });

  it('3: the logged-in check cannot tell logged-in from logged-out', async () => {
    const flags = demoFlags();
    flags[flags.indexOf('/me')] = '/';
    const r = await run(flags, { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot tell logged-in from logged-out');
  });
});

describe.concurrent('output', () => {
  it('--help shows worked examples and the exit codes', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('session-audit demo');
    expect(r.stdout).toMatch(/3\s+the audit could not run/);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('rules lists every rule id with its default severity', async () => {
    const r = await run(['rules']);
    expect(r.code).toBe(0);
    for (const id of ['session-fixation', 'session-adoption', 'logout-revocation', 'logout-cookie-clear', 'cookie-secure', 'cookie-httponly', 'cookie-samesite', 'cookie-lifetime', 'cookie-scope', 'cookie-prefix', 'cookie-name-fingerprint']) {
      expect(r.stdout).toMatch(new RegExp(`^${id}\\s+(critical|high|medium|low)\\s+\\S`, 'm'));
    }
  });

  it('never prints the password, and masks tokens, even with --verbose', async () => {
    const r = await run([...demoFlags(), '--verbose', '--no-color'], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(1);
    const all = r.stdout + r.stderr;
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(encodeURIComponent(PASSWORD));
    // express-session tokens are "s%3A<24+ chars>.<43-char signature>"; only masked prefixes may appear.
    expect(all).not.toMatch(/s%3A[A-Za-z0-9_-]{20,}\.[A-Za-z0-9+/%]{20,}/);
    expect(r.stdout).toMatch(/connect\.sid=s%3A.{0,8}…/);
  });

  it('masks the password when a failing login echoes it back in the error shown', async () => {
    // A validation error that quotes the submitted body, as many APIs do.
    const echo = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.statusCode = req.url === '/api/login' ? 400 : 401;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ error: 'invalid login', received: body ? (JSON.parse(body) as unknown) : null }));
      });
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    const { port } = echo.address() as { port: number };
    try {
      const secret = 'Hunter2-"Sekr3t"-Pw!';
      const r = await run([`http://127.0.0.1:${port}`, '--login', '/api/login', '--username', 'alice', '--auth-check', '/api/me'], { SESSION_AUDIT_PASSWORD: secret });
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('Login failed');
      expect(r.stderr).toContain('[password]');
      expect(r.stderr + r.stdout).not.toContain('Sekr3t');
    } finally {
      echo.close();
    }
  });

  it('-o writes the report to a file and keeps stdout empty; a .json name means the JSON format', async () => {
    const out = join(dir, 'report.json');
    const r = await run([...demoFlags(), '-o', out], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const report = reportSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(report.target).toBe(`${demo.url}/`);
    expect(report.requests).toBeGreaterThan(0);
  });

  it('shows a spinner on a terminal, and none when CI is set', async () => {
    // util-linux `script` gives the CLI a real pseudo-terminal (with a width, as terminals have).
    const onTerminal = (env: Record<string, string>): string =>
      execFileSync('script', ['-qec', `stty cols 100 rows 40; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} demo --fixed`, '/dev/null'], {
        env: { PATH: process.env.PATH ?? '', TERM: 'xterm', ...env },
        encoding: 'utf8',
        timeout: 20_000,
      });
    const spinnerFrame = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
    expect(onTerminal({})).toMatch(spinnerFrame);
    const inCi = onTerminal({ CI: '1' });
    expect(inCi).toContain('Grade A');
    expect(inCi).not.toMatch(spinnerFrame);
  });
});
