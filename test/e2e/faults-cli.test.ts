/**
 * The fault list, against real loopback servers that misbehave on purpose, through the
 * built CLI as a user runs it: a clear one-paragraph message, the documented exit code, no stack
 * trace, and nothing lost (a probe that fails marks only its own checks `error`, the report is
 * still written, and partial results never pass the gate).
 *
 * Covered elsewhere, not repeated here: refused connection, config syntax error, unknown config
 * key and a missing password variable (test/e2e/cli.test.ts); a route that never answers and a
 * redirect to another origin (test/e2e/hostile-cli.test.ts).
 */
import net from 'node:net';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_CERT, DEMO_KEY } from '../../src/demo/tls.js';
import { reportSchema, type Report } from '../../src/report/schema.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { startHostileApp, USER, type HostileApp, type Override } from '../helpers/hostile-app.js';

const PASSWORD = 'faults-Pa55word-x7';
const STACK = /\n\s+at /;

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function app(override?: Override): Promise<HostileApp> {
  const a = await startHostileApp(override ? { password: PASSWORD, override } : { password: PASSWORD });
  closers.push(() => a.close());
  return a;
}

function flags(url: string, ...extra: string[]): string[] {
  return [url, '--login', '/login', '--username', USER, '--auth-check', '/me', '--logout', '/logout', '--timeout', '3s', ...extra];
}

const run = (args: string[]): Promise<CliRun> => runCli(args, { SESSION_AUDIT_PASSWORD: PASSWORD });

/** A raw TCP server: `onSocket` decides what (if anything) the "HTTP server" sends. */
async function rawServer(onSocket: (socket: net.Socket) => void): Promise<string> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function expectClean(r: CliRun): void {
  expect(r.stderr).not.toMatch(STACK);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stdout + r.stderr).not.toContain(PASSWORD);
}

function reportOf(r: CliRun): Report {
  return reportSchema.parse(JSON.parse(r.stdout));
}

function statusOf(report: Report, ruleId: string): string[] {
  return report.checks.filter((c) => c.ruleId === ruleId).map((c) => c.status);
}

/** Logout answered badly: its checks are `error` with the cause; cookie checks are still judged; the gate fails. */
function expectLogoutErrorOnly(r: CliRun, cause: RegExp): Report {
  expectClean(r);
  expect(r.code).toBe(1);
  const report = reportOf(r);
  for (const id of ['logout-revocation', 'logout-cookie-clear']) {
    const checks = report.checks.filter((c) => c.ruleId === id);
    expect(checks.length, id).toBeGreaterThan(0);
    for (const c of checks) {
      expect(c.status, id).toBe('error');
      expect(c.message).toMatch(cause);
    }
  }
  // The other checks ran and were judged on their evidence (the hostile app sets a good cookie).
  expect(statusOf(report, 'cookie-httponly')).toEqual(['pass']);
  expect(statusOf(report, 'session-adoption')).toEqual(['pass']);
  // --fail-on none: the errored checks alone fail the gate.
  expect(report.gate.passed).toBe(false);
  expect(report.gate.reasons).toHaveLength(1);
  expect(report.gate.reasons[0]).toContain('ended in error');
  return report;
}

describe.concurrent('faults that stop the audit: exit 3 and one clear paragraph', () => {
  it('DNS failure (a name under the reserved .invalid TLD): names the host and says the lookup failed', async () => {
    const r = await run(flags('https://session-audit-fault.invalid'));
    expectClean(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Cannot resolve host session-audit-fault.invalid');
    expect(r.stdout).toBe('');
  });

  it('TLS certificate not trusted: the message names --ca and --insecure', async () => {
    const server = https.createServer({ key: DEMO_KEY, cert: DEMO_CERT }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const r = await run(flags(`https://127.0.0.1:${(server.address() as AddressInfo).port}`));
    expectClean(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted/);
    expect(r.stderr).toContain('--ca <file.pem>');
    expect(r.stderr).toContain('--insecure');
  });

  it('a server that accepts the connection and never answers: timeout named with --timeout', async () => {
    const url = await rawServer(() => undefined);
    const r = await run([...flags(url).slice(0, -2), '--timeout', '1s']);
    expectClean(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('did not answer within 1000 ms (raise it with --timeout)');
  });

  it('a reset in the middle of the body: says the connection closed before the response was complete', async () => {
    const url = await rawServer((s) => {
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html><body>half');
        setTimeout(() => s.resetAndDestroy(), 50);
      });
    });
    const r = await run(flags(url));
    expectClean(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/closed the connection before the response was complete/);
  });

  it('a login that answers 200 with an HTML error page: "Login failed", quoting the page, never the password', async () => {
    const a = await app((c) => {
      if (c.path !== '/login' || c.method !== 'POST') return false;
      c.res.writeHead(200, { 'content-type': 'text/html' });
      c.res.end(`<html><body><h1>Something went wrong</h1><p>Invalid password ${c.creds.password ?? ''} for ${USER}</p></body></html>`);
      return true;
    });
    const r = await run(flags(a.url));
    expectClean(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Login failed');
    expect(r.stderr).toContain('Something went wrong');
    expect(r.stderr).toContain('[password]');
  });

  it('https:// to a port that speaks plain http: exit 3, says the TLS handshake failed and to check the scheme', async () => {
    const a = await app();
    const r = await run(flags(a.url.replace('http://', 'https://')));
    expectClean(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/TLS handshake with https:\/\/127\.0\.0\.1:\d+ failed \(ERR_SSL_[A-Z_]+\): check that this port speaks https/);
  });

  it('a response that is not HTTP at all: exit 3 with a readable message', async () => {
    const url = await rawServer((s) => {
      s.once('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    });
    const r = await run(flags(url));
    expectClean(r);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^session-audit: The audit could not run: http:\/\/127\.0\.0\.1:\d+ sent a response that is not valid HTTP\/1\.1/);
  });
});

describe.concurrent('faults in one probe: its checks are error, the others still run, the report is written, the gate fails', () => {
  it('500 from logout', async () => {
    const a = await app((c) => {
      if (c.path !== '/logout') return false;
      c.res.writeHead(500, { 'content-type': 'text/plain' });
      c.res.end('Internal Server Error');
      return true;
    });
    expectLogoutErrorOnly(await run(flags(a.url, '--format', 'json', '--fail-on', 'none')), /answered 500/);
  });

  it('a redirect loop on logout', async () => {
    const a = await app((c) => {
      if (c.path !== '/logout') return false;
      c.res.writeHead(302, { location: '/logout' });
      c.res.end();
      return true;
    });
    const report = expectLogoutErrorOnly(await run(flags(a.url, '--format', 'json', '--fail-on', 'none')), /More than 10 redirects/);
    expect(report.exchanges.some((e) => e.redirectNotFollowed === 'more than 10 redirects')).toBe(true);
    // Each logout (the probe's, and the cleanup of a search browser) is 1 request + 10 followed hops, then it stopped.
    const logouts = a.requests.filter((q) => q.url === '/logout').length;
    expect(logouts).toBeGreaterThan(0);
    expect(logouts % 11).toBe(0);
  });

  it('a reset in the middle of the logout body', async () => {
    const a = await app((c) => {
      if (c.path !== '/logout') return false;
      c.res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5000' });
      c.res.write('bye…');
      setTimeout(() => c.res.socket?.resetAndDestroy(), 30);
      return true;
    });
    expectLogoutErrorOnly(await run(flags(a.url, '--format', 'json', '--fail-on', 'none')), /closed the connection before the response was complete/);
  });

  it('a 10 MB body on every page: read up to the 1 MiB cap, the rest discarded, the audit completes', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 'a');
    const a = await app((c) => {
      if (c.path === '/') {
        c.res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(big.length) });
        c.res.end(big);
        return true;
      }
      if (c.path === '/me' && c.user) {
        c.res.writeHead(200, { 'content-type': 'text/plain' });
        c.res.write(`user ${c.user}\n`);
        c.res.end(big);
        return true;
      }
      return false;
    });
    const r = await run(flags(a.url, '--format', 'json', '--fail-on', 'none'));
    expectClean(r);
    expect(r.code).toBe(0);
    const report = reportOf(r);
    expect(report.summary.errors).toBe(0);
    expect(statusOf(report, 'logout-revocation')).toEqual(['pass']);
  });
});

describe.concurrent('odd bytes from the server never crash the audit', () => {
  it('invalid, duplicated and non-ASCII Set-Cookie lines and a non-ASCII header at login: the session cookie is still found and judged', async () => {
    // Header values are written as latin1, so these strings reach the wire as raw UTF-8 / 0xFF bytes.
    const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
    const a = await app((c) => {
      if (c.path !== '/login' || c.method !== 'POST' || !c.ok) return false;
      const sid = c.newSession();
      c.res.setHeader('set-cookie', [
        '=; ;;',
        'novalue',
        utf8('pref=café; Path=/; SameSite=Lax'),
        'junk=\xff\xfe\xfd; Path=/; Expires=Thu, 99 Foo 20xx 99:99:99 GMT',
        `sid=${sid}; Path=/; SameSite=Nonsense`,
        `sid=${sid}; Path=/; HttpOnly; SameSite=Lax`,
        'x=1; Max-Age=notanumber; Domain=..; Path',
      ]);
      c.res.setHeader('x-greeting', utf8('grüß dich ☃'));
      c.res.writeHead(200, { 'content-type': 'application/json' });
      c.res.end('{"ok":true}');
      return true;
    });
    const r = await run(flags(a.url, '--format', 'json', '--fail-on', 'none'));
    expectClean(r);
    expect([0, 1]).toContain(r.code);
    const report = reportOf(r);
    expect(report.session.cookies.map((c) => c.name)).toEqual(['sid']);
    expect(statusOf(report, 'cookie-httponly')).toEqual(['pass']);
    expect(statusOf(report, 'logout-revocation')).toEqual(['pass']);
  });
});
