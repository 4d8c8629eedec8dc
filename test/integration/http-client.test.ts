/**
 * The guards every request passes (src/http/client.ts), against real loopback servers: scope,
 * body cap, concurrency, request budget, Retry-After parsing, and the plain-http refusal.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTransport, isLoopbackHost } from '../../src/audit.js';
import { HttpClient, HttpError, parseRetryAfter } from '../../src/http/client.js';
import { UsageError } from '../../src/errors.js';

let server: http.Server;
let base: string;
let inFlight = 0;
let maxInFlight = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(100_000));
      return;
    }
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      res.end('ok');
    }, 50);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const get = (client: HttpClient, path: string) => client.send({ method: 'GET', url: new URL(path, base), headers: {} });

describe('HttpClient guards', () => {
  it('refuses a request outside the scope without sending it', async () => {
    const client = new HttpClient({ timeoutMs: 2000, scope: [base] });
    const err = await client.send({ method: 'GET', url: new URL('http://127.0.0.2:1/'), headers: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).code).toBe('E_SCOPE');
    expect(client.requestCount).toBe(0);
    await client.close();
  });

  it('reads at most maxBodyBytes and marks the response truncated', async () => {
    const client = new HttpClient({ timeoutMs: 2000, maxBodyBytes: 4096 });
    const res = await get(client, '/big');
    expect(res.body).toHaveLength(4096);
    expect(res.truncated).toBe(true);
    await client.close();
  });

  it('keeps at most `concurrency` requests in flight, whatever the callers do', async () => {
    maxInFlight = 0;
    const client = new HttpClient({ timeoutMs: 2000, limits: { concurrency: 1 } });
    await Promise.all([get(client, '/a'), get(client, '/b'), get(client, '/c')]);
    expect(maxInFlight).toBe(1);
    maxInFlight = 0;
    const two = new HttpClient({ timeoutMs: 2000, limits: { concurrency: 2 } });
    await Promise.all([get(two, '/a'), get(two, '/b'), get(two, '/c'), get(two, '/d')]);
    expect(maxInFlight).toBe(2);
    await Promise.all([client.close(), two.close()]);
  });

  it('stops at maxRequests with an error naming --max-requests', async () => {
    const client = new HttpClient({ timeoutMs: 2000, limits: { maxRequests: 2 } });
    await get(client, '/a');
    await get(client, '/b');
    const err = await get(client, '/c').catch((e: unknown) => e);
    expect((err as HttpError).code).toBe('E_MAX_REQUESTS');
    expect((err as HttpError).message).toContain('--max-requests');
    expect(client.requestCount).toBe(2);
    await client.close();
  });

  it('signal: null (cleanup that restores the account) is sent past the request budget and the deadline', async () => {
    const client = new HttpClient({ timeoutMs: 2000, limits: { maxRequests: 1, deadlineAt: Date.now() - 1 } });
    const err = await get(client, '/a').catch((e: unknown) => e);
    expect((err as HttpError).code).toBe('E_DEADLINE');
    const res = await client.send({ method: 'GET', url: new URL('/restore', base), headers: {}, signal: null });
    expect(res.status).toBe(200);
    const again = await client.send({ method: 'GET', url: new URL('/restore', base), headers: {}, signal: null });
    expect(again.status).toBe(200);
    await client.close();
  });

  it('an aborted run signal refuses new requests; signal: null still goes out (cleanup after Ctrl-C)', async () => {
    const controller = new AbortController();
    const client = new HttpClient({ timeoutMs: 2000, signal: controller.signal });
    controller.abort('SIGINT');
    const err = await get(client, '/a').catch((e: unknown) => e);
    expect((err as HttpError).code).toBe('E_ABORTED');
    const res = await client.send({ method: 'GET', url: new URL('/cleanup', base), headers: {}, signal: null });
    expect(res.status).toBe(200);
    await client.close();
  });
});

describe('Retry-After', () => {
  const now = Date.UTC(2026, 11, 3, 12, 0, 0);
  it.each<[string, number | undefined]>([
    ['0', 0],
    ['3', 3000],
    ['120', 120_000],
    ['Thu, 03 Dec 2026 12:00:05 GMT', 5000],
    ['Thu, 03 Dec 2026 11:00:00 GMT', 0], // in the past: no wait
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['', undefined],
  ])('%j → %s ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('plain http', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', 'app.localhost', '[::1]'])('%s is loopback', (h) => expect(isLoopbackHost(h)).toBe(true));
  it.each(['10.0.0.1', 'staging.example.test', '127.0.0.1.nip.io', '0.0.0.0'])('%s is not loopback', (h) => expect(isLoopbackHost(h)).toBe(false));

  it('a non-loopback http:// target is refused without allowHttp and accepted with it', () => {
    expect(() => checkTransport(new URL('http://staging.example.test'), false)).toThrow(UsageError);
    expect(() => checkTransport(new URL('http://staging.example.test'), true)).not.toThrow();
    expect(() => checkTransport(new URL('https://staging.example.test'), false)).not.toThrow();
    expect(() => checkTransport(new URL('http://127.0.0.1:3000'), false)).not.toThrow();
  });

  it('an http:// scope.allow origin off loopback is refused too (it could receive the password)', () => {
    expect(() => checkTransport(new URL('https://app.example.test'), false, ['http://sso.example.test'])).toThrow(/scope\.allow origin http:\/\/sso\.example\.test/);
    expect(() => checkTransport(new URL('https://app.example.test'), false, ['https://sso.example.test', 'http://localhost:9000'])).not.toThrow();
  });
});
