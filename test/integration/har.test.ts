/**
 * --har: the trace of a real audit is valid HAR 1.2, holds every request the audit sent (each
 * redirect hop and retry), and carries redaction markers where the password and tokens went.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/audit.js';
import { Secret, validateConfig } from '../../src/config/load.js';
import type { TraceEntry } from '../../src/http/client.js';
import { buildHar } from '../../src/http/har.js';
import { Redactor } from '../../src/http/redact.js';
import { harSchema } from '../helpers/har-schema.js';
import { startHostileApp, USER, type HostileApp } from '../helpers/hostile-app.js';

const PASSWORD = 'har-Pa55word-7&q=1';
let a: HostileApp;
beforeAll(async () => {
  a = await startHostileApp({ password: PASSWORD });
});
afterAll(() => a.close());

async function traced(showSecrets: boolean): Promise<{ har: ReturnType<typeof buildHar>; requests: number; sid: string[] }> {
  const config = validateConfig({
    target: a.url,
    login: { url: '/login', type: 'form', page: '/login' },
    credentials: { username: USER },
    authCheck: { url: '/me' },
    logout: { url: '/logout' },
    showSecrets,
  });
  const trace: TraceEntry[] = [];
  const redactor = new Redactor(showSecrets);
  const run = await runAudit({ config, password: new Secret(PASSWORD) }, { trace, redactor });
  const sid = [...a.sessions.keys()];
  return { har: buildHar(trace, redactor, '0.0.0-test'), requests: run.report.requests, sid };
}

describe('HAR trace', () => {
  it('is valid HAR 1.2 with one entry per request sent, the password as [password] and cookie values masked', async () => {
    const { har, requests, sid } = await traced(false);
    const parsed = harSchema.safeParse(har);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    expect(har.log.entries).toHaveLength(requests);
    const login = har.log.entries.find((e) => e.request.method === 'POST' && e.request.url.endsWith('/login'));
    expect(login?.request.postData?.text).toContain('password=[password]');
    expect(login?.request.postData?.mimeType).toBe('application/x-www-form-urlencoded');
    const setCookie = login?.response.cookies.find((c) => c.name === 'sid');
    expect(setCookie?.value).toMatch(/…$/);
    const text = JSON.stringify(har);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(encodeURIComponent(PASSWORD));
    for (const s of sid) expect(text).not.toContain(s);
    // A cookie sent back is listed in request.cookies, masked.
    const me = har.log.entries.find((e) => e.request.url.endsWith('/me') && e.response.status === 200);
    expect(me?.request.cookies.find((c) => c.name === 'sid')?.value).toMatch(/…$/);
  });

  it('with --show-secrets the cookie values are there, the password still is not', async () => {
    const { har } = await traced(true);
    expect(harSchema.safeParse(har).success).toBe(true);
    const login = har.log.entries.find((e) => e.request.method === 'POST' && e.request.url.endsWith('/login'));
    const sid = login?.response.cookies.find((c) => c.name === 'sid')?.value ?? '';
    expect(sid).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(har)).not.toContain(PASSWORD);
  });
});
