/**
 * Safe to point at production: proxies, transport and scope, load limits, Retry-After, the
 * password from stdin, mTLS and Ctrl-C, each through the built CLI against loopback servers.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CERT, DEMO_KEY } from '../../src/demo/tls.js';
import { reportSchema, type Report } from '../../src/report/schema.js';
import { runCli, type CliOptions, type CliRun } from '../helpers/cli.js';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.js';
import { startHostileApp, USER, type HostileApp, type Override } from '../helpers/hostile-app.js';

const PASSWORD = 'safety-Pa55word-q9';
const STACK = /\n\s+at /;

const closers: Array<() => Promise<void>> = [];
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'session-audit-safety-'));
});
afterAll(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await rm(dir, { recursive: true, force: true });
});

async function app(override?: Override): Promise<HostileApp> {
  const a = await startHostileApp(override ? { password: PASSWORD, override } : { password: PASSWORD });
  closers.push(() => a.close());
  return a;
}

async function proxy(hosts: Record<string, number> = {}): Promise<ForwardProxy> {
  const p = await startForwardProxy(hosts);
  closers.push(() => p.close());
  return p;
}

function flags(url: string, ...extra: string[]): string[] {
  return [url, '--login', '/login', '--username', USER, '--auth-check', '/me', '--logout', '/logout', '--timeout', '5s', '--format', 'json', '--fail-on', 'none', ...extra];
}

const run = (args: string[], env: Record<string, string> = {}, opts: CliOptions = {}): Promise<CliRun> => runCli(args, { SESSION_AUDIT_PASSWORD: PASSWORD, ...env }, opts);

function reportOf(r: CliRun): Report {
  expect(r.stderr).not.toMatch(STACK);
  return reportSchema.parse(JSON.parse(r.stdout));
}

function statuses(report: Report, ruleId: string): string[] {
  return report.checks.filter((c) => c.ruleId === ruleId).map((c) => c.status);
}

/** The hostile app serving HTTPS with the demo certificate (valid for 127.0.0.1 and localhost). */
async function httpsApp(serverOpts: https.ServerOptions = {}): Promise<{ url: string; port: number; seen: string[] }> {
  const a = await app();
  const seen: string[] = [];
  // TLS in front of the plain app: terminate here and replay the request to it.
  const server = https.createServer({ key: DEMO_KEY, cert: DEMO_CERT, ...serverOpts }, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      void fetch(`${a.url}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers: Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k))) as Record<string, string>,
        redirect: 'manual',
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body: Buffer.concat(chunks) }),
      }).then(async (up) => {
        const headers: Record<string, string | string[]> = {};
        up.headers.forEach((v, k) => {
          if (k !== 'set-cookie' && k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') headers[k] = v;
        });
        const cookies = up.headers.getSetCookie();
        if (cookies.length > 0) headers['set-cookie'] = cookies;
        res.writeHead(up.status, headers);
        res.end(Buffer.from(await up.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return { url: `https://localhost:${port}`, port, seen };
}

describe.concurrent('proxies', () => {
  it('--proxy: a target that only the proxy can reach is audited, and the proxy saw the traffic', async () => {
    const a = await app();
    // target.invalid does not resolve: every request that reached the app went through the proxy.
    const p = await proxy({ 'target.invalid': a.port });
    const r = await run(flags(`http://target.invalid:${a.port}`, '--proxy', p.url, '--allow-http'));
    expect(r.code).toBe(0);
    const report = reportOf(r);
    expect(report.summary.errors).toBe(0);
    expect(statuses(report, 'logout-revocation')).toEqual(['pass']);
    expect(p.records.length).toBeGreaterThan(0);
    expect(p.records.every((x) => x.target.includes(`target.invalid:${a.port}`))).toBe(true);
    expect(a.requests.some((q) => q.url === '/logout')).toBe(true);
    expect(report.warnings.join(' ')).toContain(`Requests went through proxy ${p.url}`);
    expect(report.warnings.join(' ')).toContain('Credentials sent in clear');
  });

  it('HTTPS_PROXY from the environment: an https target is tunnelled with CONNECT (TLS still verified with --ca)', async () => {
    const t = await httpsApp();
    const p = await proxy();
    const ca = join(dir, 'ca-proxy.pem');
    await writeFile(ca, DEMO_CERT);
    const r = await run(flags(t.url, '--ca', ca), { HTTPS_PROXY: p.url });
    expect(r.code).toBe(0);
    reportOf(r);
    expect(p.records.filter((x) => x.kind === 'connect').map((x) => x.target)).toContain(`localhost:${t.port}`);
    expect(t.seen).toContain('POST /logout');
  });

  it('NO_PROXY naming the host: the same run goes direct and the proxy sees nothing', async () => {
    const t = await httpsApp();
    const p = await proxy();
    const ca = join(dir, 'ca-noproxy.pem');
    await writeFile(ca, DEMO_CERT);
    const r = await run(flags(t.url, '--ca', ca), { HTTPS_PROXY: p.url, NO_PROXY: 'localhost' });
    expect(r.code).toBe(0);
    expect(p.records).toEqual([]);
    expect(t.seen).toContain('POST /logout');
  });

  // undici's EnvHttpProxyAgent threw "Invalid URL" from the constructor: exit 70, "a bug".
  it('HTTPS_PROXY / HTTP_PROXY that are not URLs (host:port, garbage): exit 2 naming the variable, never its value', async () => {
    for (const [name, value] of [['HTTPS_PROXY', 'proxyuser:s3cret@127.0.0.1:8080'], ['HTTP_PROXY', ':::garbage']] as const) {
      const r = await run(flags('http://127.0.0.1:9'), { [name]: value });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`The ${name}/${name.toLowerCase()} environment variable is not a proxy URL`);
      expect(r.stderr).not.toMatch(/internal error|s3cret/);
      expect(r.stderr).not.toMatch(STACK);
    }
  });

  it('a proxy that is not listening: exit 3, the message names the proxy address', async () => {
    const r = await run(flags('http://127.0.0.1:9', '--proxy', 'http://127.0.0.1:1'));
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stderr).toContain('Could not reach the proxy http://127.0.0.1:1 given with --proxy (ECONNREFUSED)');
  });
});

describe.concurrent('transport and scope', () => {
  it('plain http:// to a host that is not loopback: exit 2 naming --allow-http, and nothing is sent', async () => {
    const p = await proxy();
    const r = await run(flags('http://staging.invalid', '--proxy', p.url));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--allow-http');
    expect(r.stderr).toContain('unencrypted');
    expect(p.records).toEqual([]);
  });

  it('a login redirect to an origin listed in --allow-origin is followed; the same redirect elsewhere is recorded, not followed', async () => {
    const other = await app();
    const a = await app((c) => {
      if (c.path === '/login' && c.method === 'POST' && c.ok) {
        c.res.writeHead(303, { 'set-cookie': `sid=${c.newSession()}; Path=/; HttpOnly; SameSite=Lax`, location: `${other.url}/welcome` });
        c.res.end();
        return true;
      }
      return false;
    });
    const allowed = await run(flags(a.url, '--allow-origin', other.url));
    expect(allowed.code).toBe(0);
    expect(other.requests.map((q) => q.url)).toContain('/welcome');
    const before = other.requests.length;
    const refused = await run(flags(a.url));
    expect(refused.code).toBe(0);
    const report = reportOf(refused);
    expect(other.requests.length).toBe(before);
    expect(report.exchanges.some((e) => e.redirectNotFollowed?.includes(other.url))).toBe(true);
  });

  it('--allow-origin that is not an origin: exit 2', async () => {
    const r = await run(flags('http://127.0.0.1:9', '--allow-origin', 'https://sso.example.test/path'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--allow-origin');
    expect(r.stderr).toContain('is not an origin');
  });
});

/** 429 when more than `limit` requests arrived within the last second (sliding window). */
function rateLimited(limit: number, stats: { limited: number }): Override {
  const times: number[] = [];
  return (c) => {
    const now = Date.now();
    while (times.length > 0 && (times[0] as number) <= now - 1000) times.shift();
    times.push(now);
    if (times.length > limit) {
      stats.limited += 1;
      c.res.writeHead(429, { 'content-type': 'text/plain' });
      c.res.end('Too Many Requests');
      return true;
    }
    return false;
  };
}

describe.concurrent('load limits', () => {
  it('a target limiting to 5 requests/s: --rate 4 completes without a single 429; without --rate the limiter bites', { timeout: 60_000 }, async () => {
    const paced = { limited: 0 };
    const a = await app(rateLimited(5, paced));
    const r = await run(flags(a.url, '--rate', '4'));
    expect(r.code).toBe(0);
    const report = reportOf(r);
    expect(paced.limited).toBe(0);
    expect(report.exchanges.some((e) => e.status === 429)).toBe(false);
    expect(report.summary.errors).toBe(0);
    expect(report.requests).toBeGreaterThan(5);

    const unpaced = { limited: 0 };
    const b = await app(rateLimited(5, unpaced));
    await run(flags(b.url));
    expect(unpaced.limited).toBeGreaterThan(0);
  });

  it('429 with Retry-After: 1 on the first logged-in check: waited for and retried, the audit completes', async () => {
    let answered429 = 0;
    const a = await app((c) => {
      if (c.path === '/me' && c.user && answered429 === 0) {
        answered429 += 1;
        c.res.writeHead(429, { 'retry-after': '1' });
        c.res.end('slow down');
        return true;
      }
      return false;
    });
    const r = await run(flags(a.url, '--verbose'));
    expect(r.code).toBe(0);
    const report = reportOf(r);
    expect(answered429).toBe(1);
    expect(r.stderr).toMatch(/\/me answered 429 with Retry-After: waiting 1 s before retrying/);
    expect(report.summary.errors).toBe(0);
    const me = a.requests.filter((q) => q.url === '/me');
    expect(me.length).toBeGreaterThan(2);
  });

  it('503 with a Retry-After beyond the cap is taken as the answer, not waited for', async () => {
    const a = await app((c) => {
      if (c.path !== '/logout') return false;
      c.res.writeHead(503, { 'retry-after': '3600' });
      c.res.end('maintenance');
      return true;
    });
    // No entropy sampling: its logins would each be logged out too, and this counts the victim's logout.
    const r = await run(flags(a.url, '--entropy-samples', '0'));
    expect(r.code).toBe(1);
    const report = reportOf(r);
    expect(statuses(report, 'logout-revocation')).toEqual(['error']);
    expect(a.requests.filter((q) => q.url === '/logout').length).toBeLessThanOrEqual(2);
  });

  it('--deadline reached while logout hangs: logout checks error naming --deadline, the report is written and marked incomplete, the gate fails', async () => {
    const a = await app((c) => c.path === '/logout'); // never answers
    const r = await run(flags(a.url, '--deadline', '2s', '--timeout', '30s'));
    expect(r.code).toBe(1);
    const report = reportOf(r);
    for (const s of report.checks.filter((c) => c.ruleId.startsWith('logout-'))) {
      expect(s.status).toBe('error');
      expect(s.message).toContain('--deadline');
    }
    expect(report.incomplete?.reason).toContain('--deadline');
    expect(report.gate.passed).toBe(false);
    expect(report.gate.reasons.join(' ')).toContain('incomplete');
  });

  it('--deadline also ends the waits: a 5m idle-timeout wait under a 3s deadline ends in error naming --deadline, and the run ends (within the test timeout)', async () => {
    const a = await app();
    const r = await run(flags(a.url, '--deadline', '3s', '--expiry-wait', '10m', '--idle-timeout', '5m', '--entropy-samples', '0'));
    expect(r.code).toBe(1);
    const report = reportOf(r);
    expect(statuses(report, 'idle-timeout')).toEqual(['error']);
    expect(report.checks.find((c) => c.ruleId === 'idle-timeout')?.message).toContain('--deadline');
    expect(report.incomplete?.reason).toContain('--deadline');
    expect(report.gate.passed).toBe(false);
  });

  it('past --deadline, paced requests are refused at once instead of each waiting for its --rate slot', async () => {
    const a = await app();
    // 60 entropy samples at 2 requests/s would take 30 s of pacing; the deadline cuts them short.
    const r = await run(flags(a.url, '--deadline', '4s', '--rate', '2', '--entropy-samples', '60'));
    expect(r.code).toBe(1);
    const report = reportOf(r);
    expect(report.incomplete?.reason).toContain('--deadline');
    // Sent requests stop at the deadline: at most 4 s × 2/s, plus the first token.
    expect(report.requests).toBeLessThanOrEqual(9);
  });

  it('the terminal report of a run cut short says INCOMPLETE RUN and why, and the gate line says it failed', async () => {
    const a = await app((c) => c.path === '/logout');
    // --format is repeatable (several reports from one run), so swap json for terminal rather than add it.
    const r = await run(flags(a.url, '--deadline', '2s', '--timeout', '30s').map((f) => (f === 'json' ? 'terminal' : f)));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/INCOMPLETE RUN — A limit cut the run short: .*--deadline/);
    expect(r.stdout).toMatch(/Gate: FAILED — .*the run is incomplete/);
  });

  it('--max-requests used up after the session was established: the remaining checks error, never pass', async () => {
    const a = await app();
    const full = reportOf(await run(flags(a.url)));
    // The budget ends right where the logout probe starts.
    const firstLogout = full.exchanges.find((e) => e.purpose.startsWith('logout:'));
    expect(firstLogout).toBeDefined();
    const budget = (firstLogout?.id ?? 0) - 1;
    const r = await run(flags(a.url, '--max-requests', String(budget)));
    expect(r.code).toBe(1);
    const report = reportOf(r);
    expect(report.requests).toBe(budget);
    expect(statuses(report, 'logout-revocation')).toEqual(['error']);
    expect(report.checks.find((c) => c.ruleId === 'logout-revocation')?.message).toContain('--max-requests');
    expect(report.incomplete?.reason).toContain('--max-requests');
    expect(report.summary.passed).toBeGreaterThan(0);
    // The entropy sampling after logout had no budget left either: an error, not "too few samples".
    expect(statuses(report, 'token-entropy')).toEqual(['error']);
    expect(report.checks.find((c) => c.ruleId === 'token-entropy')?.message).toContain('--max-requests');
  });

  it('--max-requests used up only during entropy sampling: token-entropy errors and the run is still marked incomplete', async () => {
    const a = await app();
    const full = reportOf(await run(flags(a.url)));
    const firstSample = full.exchanges.find((e) => e.purpose.startsWith('entropy sample'));
    expect(firstSample).toBeDefined();
    const budget = (firstSample?.id ?? 0) + 1; // two samples' worth of room at most, then the budget is gone
    const r = await run(flags(a.url, '--max-requests', String(budget)));
    const report = reportOf(r);
    expect(statuses(report, 'logout-revocation')).not.toContain('error');
    expect(statuses(report, 'token-entropy')).toEqual(['error']);
    expect(report.incomplete?.reason).toContain('--max-requests');
    expect(report.gate.passed).toBe(false);
  });

  it('--rate 0 and --max-requests abc: exit 2 naming the flag', async () => {
    const zero = await run(flags('http://127.0.0.1:9', '--rate', '0'));
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--rate');
    const abc = await run(flags('http://127.0.0.1:9', '--max-requests', 'abc'));
    expect(abc.code).toBe(2);
    expect(abc.stderr).toContain('--max-requests: expected a whole number');
  });
});

describe.concurrent('secrets in, mTLS, Ctrl-C', () => {
  it('--password-stdin: the first line of stdin is the password (the environment variable is not needed)', async () => {
    const a = await app();
    const r = await runCli(flags(a.url, '--password-stdin'), {}, { stdin: `${PASSWORD}\nignored second line\n` });
    expect(r.code).toBe(0);
    expect(reportOf(r).summary.errors).toBe(0);
    const login = a.requests.find((q) => q.url === '/login' && q.method === 'POST');
    expect(JSON.parse(login?.body ?? '{}')).toMatchObject({ password: PASSWORD });
  });

  it('--password-stdin with empty stdin: exit 2, says stdin held no password', async () => {
    const r = await runCli(flags('http://127.0.0.1:9', '--password-stdin'), {}, { stdin: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stdin held no password');
  });

  it('mTLS: a server requiring a client certificate rejects the audit without --cert/--key (message names them) and accepts it with them', async () => {
    const t = await httpsApp({ requestCert: true, rejectUnauthorized: true, ca: [DEMO_CERT] });
    const ca = join(dir, 'ca-mtls.pem');
    const key = join(dir, 'client-key.pem');
    await writeFile(ca, DEMO_CERT);
    await writeFile(key, DEMO_KEY);
    const without = await run(flags(t.url, '--ca', ca));
    expect(without.code).toBe(3);
    expect(without.stderr).not.toMatch(STACK);
    expect(without.stderr).toMatch(/--cert/);
    const withCert = await run(flags(t.url, '--ca', ca, '--cert', ca, '--key', key));
    expect(withCert.code).toBe(0);
    expect(reportOf(withCert).summary.errors).toBe(0);
    expect(t.seen).toContain('POST /logout');
  });

  it('--cert without --key: exit 2', async () => {
    const r = await run(flags('http://127.0.0.1:9', '--cert', '/nonexistent.pem'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('needs both --cert and --key');
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('%s while logout hangs: exit 130, the report is written marked incomplete, unfinished checks are error', async (signal) => {
    let onLogout: () => void = () => undefined;
    const logoutSeen = new Promise<void>((r) => (onLogout = r));
    const a = await app((c) => {
      if (c.path !== '/logout') return false;
      onLogout();
      return true; // never answers
    });
    const r = await run(flags(a.url, '--timeout', '60s'), {}, {
      onSpawn: (child) => {
        void logoutSeen.then(() => child.kill(signal));
      },
    });
    expect(r.code).toBe(130);
    const report = reportOf(r);
    expect(report.incomplete?.reason).toContain(signal);
    expect(statuses(report, 'logout-revocation')).toEqual(['error']);
    expect(report.checks.every((c) => c.status !== 'pass' || !c.ruleId.startsWith('logout-'))).toBe(true);
    expect(report.gate.passed).toBe(false);
    expect(r.stderr).toContain('interrupted');
  });
});

describe.concurrent('interrupts and trace files at the edges', () => {
  it('Ctrl-C before a session exists: exit 130, one line saying there is nothing to report, no report on stdout (only the JSON error object --format json promises)', async () => {
    let onLanding: () => void = () => undefined;
    const landing = new Promise<void>((r) => (onLanding = r));
    const a = await app((c) => {
      if (c.path !== '/') return false;
      onLanding();
      return true; // never answers
    });
    const r = await run(flags(a.url, '--timeout', '60s'), {}, { onSpawn: (child) => void landing.then(() => child.kill('SIGINT')) });
    expect(r.code).toBe(130);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'E_INTERRUPTED', exitCode: 130, message: expect.stringContaining('nothing to report') } });
    expect(r.stderr).toContain('Interrupted before a logged-in session was established');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('--har into a folder that does not exist: exit 2 before any request', async () => {
    const a = await app();
    const r = await run(flags(a.url, '--har', join(dir, 'missing', 'trace.har')));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the folder does not exist');
    expect(a.requests).toHaveLength(0);
  });
});

describe('signal handling in-process', () => {
  it('the first Ctrl-C aborts the run; a second exits at once with 130', async () => {
    const { trapSignals } = await import('../../src/cli/output.js');
    const controller = new AbortController();
    const exits: number[] = [];
    const untrap = trapSignals(controller, (code) => exits.push(code));
    try {
      process.emit('SIGINT', 'SIGINT');
      expect(controller.signal.aborted).toBe(true);
      expect(controller.signal.reason).toBe('SIGINT');
      expect(exits).toEqual([]);
      process.emit('SIGINT', 'SIGINT');
      expect(exits).toEqual([130]);
    } finally {
      untrap();
    }
  });

  it('while a changed password is being restored, a second Ctrl-C does not exit; once it is back, one does', async () => {
    const { trapSignals } = await import('../../src/cli/output.js');
    const { holdInterrupts } = await import('../../src/interrupts.js');
    const controller = new AbortController();
    const exits: number[] = [];
    const untrap = trapSignals(controller, (code) => exits.push(code));
    const release = holdInterrupts();
    try {
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGTERM', 'SIGTERM');
      expect(controller.signal.aborted).toBe(true);
      expect(exits).toEqual([]);
      release();
      process.emit('SIGINT', 'SIGINT');
      expect(exits).toEqual([130]);
    } finally {
      release();
      untrap();
    }
  });
});
