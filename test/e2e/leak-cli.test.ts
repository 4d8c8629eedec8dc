/**
 * Secrets never leak: an audit with a known password and known token values, through every
 * registered report format (the registry is iterated, so a format added later is covered without
 * touching this file), with and without --verbose, to stdout and to -o files, with the HAR trace,
 * and on the error path. Neither string may appear anywhere the user can see: stdout, stderr,
 * report files, the HAR file. With --show-secrets the token does appear (so this test can fail),
 * and the password still never does.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/report/formatters/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { startHostileApp, USER, type HostileApp } from '../helpers/hostile-app.js';

const PASSWORD = 'Lk9#pw-DISTINCTIVE-s3cr3t&x=1';
const TOKEN = 'tok3nLEAKcheck9f8e7d6c5b4a3210';
const REMEMBER = 'rememberLEAK0a1b2c3d4e5f6071';
const SECRETS = { PASSWORD, TOKEN, REMEMBER };

let dir: string;
const apps: HostileApp[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'session-audit-leak-'));
});
afterAll(async () => {
  await Promise.all(apps.splice(0).map((x) => x.close()));
  await rm(dir, { recursive: true, force: true });
});

/**
 * A target whose session token is always TOKEN. One per test: runs are concurrent, and one
 * run's logout must not end another run's session.
 */
async function target(): Promise<HostileApp> {
  const app = await startHostileApp({
    password: PASSWORD,
    override: (c) => {
      if (c.path === '/login' && c.method === 'POST') {
        if (!c.ok) {
          // The error path: echo everything back, as a careless app does.
          c.res.writeHead(401, { 'content-type': 'text/html', 'x-debug': `pw=${c.creds.password ?? ''}` });
          c.res.end(`<p>Wrong password ${c.creds.password ?? ''} (token ${TOKEN})</p>`);
          return true;
        }
        c.sessions.set(TOKEN, { user: USER });
        c.res.setHeader('set-cookie', [`sid=${TOKEN}; Path=/; HttpOnly; SameSite=Lax`, `remember=${REMEMBER}; Path=/; Max-Age=86400`]);
        c.res.writeHead(200, { 'content-type': 'application/json', 'x-session': TOKEN });
        c.res.end(JSON.stringify({ ok: true, token: TOKEN, echo: c.creds.password }));
        return true;
      }
      if (c.path === '/me' && c.user) {
        c.res.writeHead(200, { 'content-type': 'application/json' });
        c.res.end(JSON.stringify({ user: c.user, sid: c.cookies.sid, remember: c.cookies.remember }));
        return true;
      }
      return false;
    },
  });
  apps.push(app);
  return app;
}

function flags(a: HostileApp, ...extra: string[]): string[] {
  // SARIF results point at a repository file; without a config file, say which.
  const sarif = extra.includes('sarif') ? ['--sarif-location', 'README.md'] : [];
  return [...sarif, a.url, '--login', '/login', '--username', USER, '--auth-check', '/me', '--logout', '/logout', '--timeout', '5s', ...extra];
}

/** Every place a secret could surface in one run. */
async function everything(r: CliRun, files: string[]): Promise<string> {
  const texts = [r.stdout, r.stderr];
  for (const f of files) texts.push(await readFile(f, 'utf8'));
  return texts.join('\n');
}

function expectNoSecret(text: string, where: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    expect(text.includes(value), `${name} leaked in ${where}`).toBe(false);
    expect(text.includes(encodeURIComponent(value)), `${name} (URL-encoded) leaked in ${where}`).toBe(false);
  }
}

describe.concurrent.each(FORMATS.map((f) => [f]))('format %s', (format) => {
  it('stdout + --verbose log + --har: no password, no token', async () => {
    const har = join(dir, `${format}-verbose.har`);
    const r = await runCli(flags(await target(), '--format', format, '--verbose', '--har', har), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect([0, 1]).toContain(r.code);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stderr).toContain('→ #'); // the verbose log really ran
    const all = await everything(r, [har]);
    expect(all).toContain('[password]'); // the HAR shows where the password went
    expectNoSecret(all, `${format} --verbose`);
  });

  it('-o file: no password, no token', async () => {
    const out = join(dir, `report-${format}.out`);
    const r = await runCli(flags(await target(), '--format', format, '-o', out), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect([0, 1]).toContain(r.code);
    const all = await everything(r, [out]);
    expect(all.length).toBeGreaterThan(100);
    expectNoSecret(all, `${format} -o`);
  });
});

describe.concurrent('error paths and --show-secrets', () => {
  it('a failing login that echoes the password and a token (wrong password): stderr and HAR hold neither', async () => {
    const har = join(dir, 'failed-login.har');
    // The server echoes whatever password it got: a distinctive wrong one proves the scrubbing.
    const wrong = `${PASSWORD}-WRONG`;
    const r = await runCli(flags(await target(), '--verbose', '--har', har), { SESSION_AUDIT_PASSWORD: wrong });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Login failed');
    const all = await everything(r, [har]);
    expect(all.includes(wrong)).toBe(false);
    expect(all.includes(encodeURIComponent(wrong))).toBe(false);
    const entries = (JSON.parse(await readFile(har, 'utf8')) as { log: { entries: unknown[] } }).log.entries;
    expect(entries.length).toBeGreaterThan(0);
  });

  it('--show-secrets shows the token in the report and the HAR, and still never the password', async () => {
    const har = join(dir, 'show.har');
    const r = await runCli(flags(await target(), '--format', 'json', '--verbose', '--show-secrets', '--har', har), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect([0, 1]).toContain(r.code);
    expect(r.stdout).toContain(TOKEN);
    const harText = await readFile(har, 'utf8');
    expect(harText).toContain(TOKEN);
    const all = await everything(r, [har]);
    expect(all.includes(PASSWORD)).toBe(false);
    expect(all.includes(encodeURIComponent(PASSWORD))).toBe(false);
  });
});
