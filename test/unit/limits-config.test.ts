/** The new config keys and flags (limits, scope, proxy, TLS client certificate): values and errors. */
import { describe, expect, it } from 'vitest';
import { flagsToOverlay, validateConfig, deepMerge, loadConfig } from '../../src/config/load.js';
import { UsageError } from '../../src/errors.js';

const base = { target: 'https://staging.example.test', login: { url: '/login' }, credentials: { username: 'u' }, authCheck: { url: '/me' } };

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('limits', () => {
  it('flags land in limits.* with their units', () => {
    const cfg = validateConfig(deepMerge(base, flagsToOverlay({ deadline: '2m', maxRequests: '50', rate: '2.5', concurrency: '1', maxRedirects: '3', maxBody: '512KiB' })));
    expect(cfg.limits).toEqual({ deadline: 120_000, maxRequests: 50, rate: 2.5, concurrency: 1, maxRedirects: 3, maxBody: 512 * 1024, retryAfterMax: 30_000 });
  });

  it.each([
    [{ maxBody: '12' }, '--max-body (limits.maxBody): at least 1KiB'],
    [{ maxBody: 'lots' }, 'expected a size such as 1048576, 512KiB or 1MiB'],
    [{ deadline: '2d' }, 'a deadline longer than 24h is not supported'],
    [{ rate: '0' }, '--rate (limits.rate): must be more than 0'],
    [{ concurrency: '0' }, '--concurrency (limits.concurrency)'],
  ])('%o is refused: %s', (flags, message) => {
    expect(usage(() => validateConfig(deepMerge(base, flagsToOverlay(flags)), new Set(Object.keys(flags).map((k) => `limits.${k}`)))).message).toContain(message);
  });

  it.each([['--rate', { rate: '1e3' }], ['--max-requests', { maxRequests: '-1' }], ['--max-redirects', { maxRedirects: '2.5' }]])('%s with a non-number is a usage error naming the flag', (flag, flags) => {
    expect(usage(() => flagsToOverlay(flags)).message).toContain(flag);
  });
});

describe('scope, proxy, client certificate', () => {
  it('scope.allow keeps origins only and lets login/authCheck URLs live there', () => {
    const cfg = validateConfig({ ...base, scope: { allow: ['https://sso.example.test/'] }, login: { url: 'https://sso.example.test/login' } });
    expect(cfg.scope.allow).toEqual(['https://sso.example.test']);
  });

  it('a login URL on an origin outside scope.allow is refused and the message points at scope.allow', () => {
    expect(usage(() => validateConfig({ ...base, login: { url: 'https://sso.example.test/login' } })).message).toContain('add it to scope.allow');
  });

  it('proxy must be an http(s) URL', () => {
    expect(usage(() => validateConfig({ ...base, proxy: 'socks5://127.0.0.1:1080' })).message).toContain('expected a proxy URL');
    expect(validateConfig({ ...base, proxy: 'http://127.0.0.1:8080' }).proxy).toBe('http://127.0.0.1:8080');
  });

  it('key without cert is refused', () => {
    expect(usage(() => validateConfig({ ...base, key: 'k.pem' })).message).toContain('needs both --cert and --key');
  });
});

describe('--password-stdin', () => {
  it('a terminal on stdin is refused (it reads a pipe, it does not prompt)', async () => {
    const tty = Object.assign((async function* () {})(), { isTTY: true }) as unknown as NodeJS.ReadableStream & { isTTY: boolean };
    const err = await loadConfig({ url: 'https://staging.example.test', login: '/login', username: 'u', authCheck: '/me', passwordStdin: true }, {}, tty).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain('stdin is a terminal');
  });

  it('takes the first line only, with CRLF line endings too, and ignores the environment', async () => {
    const pipe = (async function* () {
      yield Buffer.from('pa55 with spaces\r\nsecond');
    })() as unknown as NodeJS.ReadableStream;
    const loaded = await loadConfig({ url: 'https://staging.example.test', login: '/login', username: 'u', authCheck: '/me', passwordStdin: true }, { SESSION_AUDIT_PASSWORD: 'from-env' }, pipe);
    expect(loaded.password.reveal()).toBe('pa55 with spaces');
  });
});
