/**
 * The built CLI (npm run build first) against hostile targets and hostile input: what reaches
 * stdout, stderr and the exit code. Every target is an in-process node:http server on 127.0.0.1
 * (test/helpers/hostile-app.ts) that records the requests it received.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/report/schema.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { LOGIN_FORM, startHostileApp, USER, type HostileApp, type Override } from '../helpers/hostile-app.js';

const PASSWORD = 'e2e-hostile-Pa55word';
const STACK = /\n\s+at /;

const run = (args: string[], env: Record<string, string> = {}): Promise<CliRun> => runCli(args, env);
const runClosedStdout = (args: string[], when: 'first-chunk' | 'at-once', env: Record<string, string> = {}): Promise<CliRun> => runCli(args, env, { closeStdout: when });

const servers: HostileApp[] = [];
async function app(override?: Override, password = PASSWORD): Promise<HostileApp> {
  const a = await startHostileApp(override ? { password, override } : { password });
  servers.push(a);
  return a;
}

/** The usual flags for a JSON login against a hostile app, without --timeout. */
function baseFlags(a: HostileApp): string[] {
  return [a.url, '--login', '/login', '--username', USER, '--auth-check', '/me'];
}

/** `baseFlags` with a 5s per-request timeout, then `extra`. */
function flags(a: HostileApp, ...extra: string[]): string[] {
  return [...baseFlags(a), '--timeout', '5s', ...extra];
}

/** A failing login that answers with `body` (status 401). */
function failingLogin(body: (password: string | undefined) => string, contentType = 'text/html'): Override {
  return (c) => {
    if (c.path !== '/login' || c.method !== 'POST') return false;
    c.res.writeHead(401, { 'content-type': contentType });
    c.res.end(body(c.creds.password));
    return true;
  };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'session-audit-hostile-e2e-'));
});
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe.concurrent('the JSON report stays JSON', () => {
  it('short cookie values (cookie_consent=false, banner_seen=true) at login: stdout parses, gate.passed/essential are booleans', async () => {
    const a = await app((c) => {
      if (c.path !== '/login' || c.method !== 'POST' || !c.ok) return false;
      c.res.writeHead(200, { 'set-cookie': [`sid=${c.newSession()}; Path=/; HttpOnly; SameSite=Lax`, 'cookie_consent=false; Path=/', 'banner_seen=true; Path=/'], 'content-type': 'application/json' });
      c.res.end('{"ok":true}');
      return true;
    });
    const r = await run(flags(a, '--logout', '/logout', '--format', 'json'), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect([0, 1]).toContain(r.code);
    const json = JSON.parse(r.stdout) as { gate: { passed: unknown }; session: { cookies: Array<{ name: string; essential: unknown }> } };
    expect(typeof json.gate.passed).toBe('boolean');
    expect(json.session.cookies.length).toBeGreaterThan(0);
    for (const c of json.session.cookies) expect(typeof c.essential).toBe('boolean');
    expect(json.session.cookies.map((c) => [c.name, c.essential])).toEqual([['sid', true]]);
    expect(() => reportSchema.parse(json)).not.toThrow();
  });

  it('SESSION_AUDIT_PASSWORD=true (a password that is also a JSON literal): stdout still parses', async () => {
    const a = await app(undefined, 'true');
    const r = await run(flags(a, '--logout', '/logout', '--format', 'json'), { SESSION_AUDIT_PASSWORD: 'true' });
    expect([0, 1]).toContain(r.code);
    const json = JSON.parse(r.stdout) as { gate: { passed: unknown }; session: { cookies: Array<{ essential: unknown }> } };
    expect(typeof json.gate.passed).toBe('boolean');
    for (const c of json.session.cookies) expect(typeof c.essential).toBe('boolean');
    expect(() => reportSchema.parse(json)).not.toThrow();
  });
});

describe.concurrent('the password never reaches the output', () => {
  it('a failure page that echoes the password HTML-escaped', async () => {
    const pw = 'x&y<z';
    const a = await app(
      failingLogin((p) => {
        const named = String(p).replace(/&/g, '&amp;').replace(/</g, '&lt;');
        const numeric = String(p).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
        return `<p>Wrong password ${numeric} for alice</p><p>(you typed ${named})</p>`;
      }),
    );
    const r = await run(flags(a), { SESSION_AUDIT_PASSWORD: pw });
    expect(r.code).toBe(3);
    for (const form of [pw, 'x&amp;y&lt;z', 'x&#38;y&#60;z', encodeURIComponent(pw)]) {
      expect(r.stderr.includes(form), form).toBe(false);
      expect(r.stdout.includes(form), form).toBe(false);
    }
    expect(r.stderr).toContain('Login failed');
    expect(r.stderr).toContain('[password]'); // the echo did reach the message, masked
  });

  it('a failure page that echoes the password raw, where it looks like a tag', async () => {
    const pw = 'x&ya<b c>d';
    const a = await app(failingLogin((p) => `<p>Wrong password "${String(p)}" for alice</p>`));
    const r = await run(flags(a), { SESSION_AUDIT_PASSWORD: pw });
    expect(r.code).toBe(3);
    // Raw, escaped, or what is left once "<b c>" is taken for a tag: none of it may show.
    for (const form of [pw, 'x&amp;ya&lt;b c&gt;d', 'x&#38;ya&#60;b c&#62;d', 'x&ya', 'x&amp;ya']) {
      expect(r.stderr.includes(form), form).toBe(false);
      expect(r.stdout.includes(form), form).toBe(false);
    }
    expect(r.stderr).toContain('Login failed');
    expect(r.stderr).toContain('[password]');
  });

  it('a login that redirects to /welcome?u=alice&p=<raw password>: --verbose --format json shows it in no form', async () => {
    const pw = "it's a+b c/d?e#f";
    const a = await app((c) => {
      if (c.path === '/login' && c.method === 'POST') {
        const headers: Record<string, string> = { location: `/welcome?u=alice&p=${String(c.creds.password)}` };
        if (c.ok) headers['set-cookie'] = `sid=${c.newSession()}; Path=/; HttpOnly; SameSite=Lax`;
        c.res.writeHead(302, headers);
        c.res.end();
        return true;
      }
      if (c.path === '/welcome') {
        c.res.writeHead(200);
        c.res.end('welcome');
        return true;
      }
      return false;
    }, pw);
    const r = await run(flags(a, '--logout', '/logout', '--verbose', '--format', 'json'), { SESSION_AUDIT_PASSWORD: pw });
    expect([0, 1]).toContain(r.code);
    expect(r.stderr).toContain('/welcome'); // the redirect was followed and logged
    expect(a.requests.some((q) => q.url.startsWith('/welcome?'))).toBe(true);
    const parsed = new URL(`http://h/?x=${pw}`);
    const forms = [pw, encodeURIComponent(pw), encodeURI(pw), parsed.search.slice(3) + parsed.hash, parsed.search.slice(3), new URLSearchParams({ p: pw }).toString().slice(2)];
    for (const form of forms) {
      expect(r.stdout.includes(form), `stdout: ${form}`).toBe(false);
      expect(r.stderr.includes(form), `stderr: ${form}`).toBe(false);
    }
    expect(() => reportSchema.parse(JSON.parse(r.stdout))).not.toThrow();
  });
});

describe.concurrent('refused before any request', () => {
  it('a target URL with credentials: exit 2, says so, and the server gets nothing', async () => {
    const a = await app();
    const r = await run([`http://u:pw-Secret-42@127.0.0.1:${a.port}`, ...baseFlags(a).slice(1)], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/credentials/);
    expect(r.stderr).not.toContain('pw-Secret-42');
    expect(r.stderr).not.toMatch(STACK);
    expect(a.requests).toHaveLength(0);
  });

  it('--timeout 30d: exit 2, timeouts over 1h are not supported', async () => {
    const a = await app();
    const r = await run([...baseFlags(a), '--timeout', '30d'], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--timeout/);
    expect(r.stderr).toMatch(/longer than 1h is not supported/);
    expect(a.requests).toHaveLength(0);
  });

  it('a config whose login.body is nested 2000 levels: exit 2, not an internal error', async () => {
    let body: Record<string, unknown> = { password: '{{password}}' };
    for (let i = 0; i < 2000; i += 1) body = { nested: body };
    const a = await app();
    const path = join(dir, 'deep.json');
    await writeFile(path, JSON.stringify({ target: a.url, login: { url: '/login', body }, credentials: { username: USER }, authCheck: { url: '/me' } }));
    const r = await run(['--config', path], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toMatch(STACK);
    expect(a.requests).toHaveLength(0);
  });

  it('--ca with BEGIN/END CERTIFICATE markers around garbage: exit 2', async () => {
    const a = await app();
    const ca = join(dir, 'fake.pem');
    await writeFile(ca, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\nZ2FyYmFnZQ==\n-----END CERTIFICATE-----\n');
    const r = await run(flags(a, '--ca', ca), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--ca');
    expect(r.stderr).not.toMatch(STACK);
    expect(a.requests).toHaveLength(0);
  });

  it.each([
    ['X-Emoji: 😀', /X-Emoji|header/],
    ['Content-Length: 5', /Content-Length/],
  ])('-H "%s": exit 2', async (header, message) => {
    const a = await app();
    const r = await run(flags(a, '-H', header), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
    expect(a.requests).toHaveLength(0);
  });

  it('-o /proc/nonexistent/x: exit 2 before the audit (the target gets no request)', async () => {
    const a = await app();
    const r = await run(flags(a, '--logout', '/logout', '-o', '/proc/nonexistent/x'), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/proc/nonexistent/x');
    expect(r.stderr).not.toMatch(STACK);
    expect(a.requests).toHaveLength(0);
  });

  it('authCheck.method HEAD with bodyIncludes: exit 2', async () => {
    const a = await app();
    const path = join(dir, 'head.json');
    await writeFile(path, JSON.stringify({ target: a.url, login: { url: '/login' }, credentials: { username: USER }, authCheck: { url: '/me', method: 'HEAD', expect: { bodyIncludes: 'alice' } } }));
    const r = await run(['--config', path], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('authCheck.method');
    expect(r.stderr).not.toMatch(STACK);
    expect(a.requests).toHaveLength(0);
  });
});

describe.concurrent('hostile answers end the audit cleanly (exit 3)', () => {
  it('a login failure with ANSI/OSC escape sequences: stderr carries no ESC or BEL', async () => {
    const a = await app(failingLogin(() => '\x1b[2J\x1b[H\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[1;32mScore 100/100 Grade A+ Gate: passed\x1b[0m', 'text/plain'));
    const r = await run(flags(a), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Login failed');
    expect(r.stderr).not.toContain('\x1b');
    expect(r.stderr).not.toContain('\x07');
    expect(r.stdout).toBe('');
  });

  it('a JSON login failing with a 1 MiB body of "<": exit 3 with a clear message', { timeout: 30_000 }, async () => {
    const big = '<'.repeat(1024 * 1024);
    const a = await app(failingLogin(() => big));
    const r = await run(flags(a), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Login failed: the login request answered 401/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('a form login page of 1 MiB of "<a ": exit 3 with a clear message', { timeout: 30_000 }, async () => {
    const big = '<a '.repeat(Math.ceil((1024 * 1024) / 3)).slice(0, 1024 * 1024);
    const a = await app((c) => {
      if (c.path !== '/login' || c.method !== 'GET') return false;
      c.res.writeHead(200, { 'content-type': 'text/html' });
      c.res.end(big);
      return true;
    });
    const r = await run(flags(a, '--login-type', 'form'), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No form with a password field/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('/me never answers (--timeout 1s): says it did not answer within 1000 ms and names --timeout', async () => {
    const a = await app((c) => c.path === '/me'); // handled: never answered
    const r = await run([...baseFlags(a), '--timeout', '1s'], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('did not answer within 1000 ms');
    expect(r.stderr).toContain('--timeout');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('a JSON login answering 307 to another origin: exit 3, the redirect was not followed, the other origin got nothing', async () => {
    // Another origin that would happily accept the re-POSTed credentials.
    const other = await app((c) => {
      c.res.writeHead(200, { 'content-type': 'application/json' });
      c.res.end('{"ok":true}');
      return true;
    });
    const a = await app((c) => {
      if (c.path !== '/login' || c.method !== 'POST') return false;
      c.res.writeHead(307, { location: `http://127.0.0.1:${other.port}/steal` });
      c.res.end();
      return true;
    });
    const r = await run(flags(a), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not followed/);
    expect(r.stderr).toContain(`127.0.0.1:${other.port}`);
    expect(other.requests).toHaveLength(0);
    expect(a.requests.some((q) => q.method === 'POST' && q.url === '/login')).toBe(true);
  });
});

describe.concurrent('odd but legitimate targets', () => {
  it('a gzip-compressed login page with a real form: the audit logs in (exit 0 or 1)', async () => {
    const a = await app((c) => {
      if (c.path !== '/login' || c.method !== 'GET') return false;
      c.res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
      c.res.end(gzipSync(LOGIN_FORM));
      return true;
    });
    const r = await run(flags(a, '--login-type', 'form', '--logout', '/logout', '--format', 'json'), { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.session.cookies.map((c) => c.name)).toEqual(['sid']);
  });

  it('--timeout 59m is accepted', async () => {
    const a = await app();
    const r = await run([...baseFlags(a), '--logout', '/logout', '--timeout', '59m', '--format', 'json'], { SESSION_AUDIT_PASSWORD: PASSWORD });
    expect([0, 1]).toContain(r.code);
    expect(reportSchema.parse(JSON.parse(r.stdout)).requests).toBeGreaterThan(0);
  });
});

describe.concurrent('a reader that closes stdout', () => {
  it.each([
    ['rules', ['rules']],
    ['rules --format json', ['rules', '--format', 'json']],
  ])('%s: no internal error, no stack trace', async (_label, args) => {
    for (const when of ['first-chunk', 'at-once'] as const) {
      const r = await runClosedStdout(args, when);
      expect(r.signal, when).toBeNull();
      expect(r.code, `${when}: ${r.stderr}`).not.toBe(70);
      expect(r.code, `${when}: ${r.stderr}`).toBe(0);
      expect(r.stderr, when).not.toMatch(STACK);
      expect(r.stderr, when).not.toContain('internal error');
    }
  });

  it('a full audit with --format json: no internal error, no stack trace', async () => {
    // 30 cookies make the JSON report far larger than a pipe buffer (64 KiB), so closing the
    // pipe after the first chunk really makes the CLI's write fail with EPIPE.
    const a = await app((c) => {
      if (c.path !== '/login' || c.method !== 'POST' || !c.ok) return false;
      const prefs = Array.from({ length: 29 }, (_, i) => `pref${String(i).padStart(2, '0')}=v${i}abcdef; Path=/`);
      c.res.writeHead(200, { 'set-cookie': [...prefs, `sid=${c.newSession()}; Path=/; HttpOnly; SameSite=Lax`], 'content-type': 'application/json' });
      c.res.end('{"ok":true}');
      return true;
    });
    for (const when of ['first-chunk', 'at-once'] as const) {
      const r = await runClosedStdout(flags(a, '--logout', '/logout', '--format', 'json'), when, { SESSION_AUDIT_PASSWORD: PASSWORD });
      expect(r.signal, when).toBeNull();
      expect(r.code, `${when}: ${r.stderr}`).not.toBe(70);
      // The gate failed (sid has no Secure over plain http); a reader going away must not turn
      // that into a pass.
      expect(r.code, `${when}: ${r.stderr}`).toBe(1);
      expect(r.stderr, when).not.toMatch(STACK);
      expect(r.stderr, when).not.toContain('internal error');
    }
  });
});
