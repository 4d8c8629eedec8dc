/**
 * Hostile configuration input: each case used to crash (exit 70), hang, or be accepted and then
 * misbehave on the network. Each must now be a UsageError (exit 2) naming the field, raised
 * before any request is sent.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, validateConfig, type ConfigFlags } from '../../src/config/load.js';
import { ExitCode, UsageError } from '../../src/errors.js';

const ENV = { SESSION_AUDIT_PASSWORD: 'unit-hostile-pw' };

function base(): Record<string, any> {
  return {
    target: 'http://127.0.0.1:8080',
    login: { url: '/login' },
    credentials: { username: 'alice' },
    authCheck: { url: '/me' },
  };
}

/** The flags a user types for the same audit. */
function baseFlags(extra: ConfigFlags = {}): ConfigFlags {
  return { url: 'http://127.0.0.1:8080', login: '/login', username: 'alice', authCheck: '/me', ...extra };
}

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(ExitCode.usage);
    return err as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

async function usageErrorAsync(p: Promise<unknown>): Promise<UsageError> {
  const err: unknown = await p.then(
    () => new Error('expected a UsageError, the config was accepted'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).exitCode).toBe(ExitCode.usage);
  expect((err as UsageError).exitCode).toBe(2);
  return err as UsageError;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'session-audit-hostile-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('target URL with credentials', () => {
  it.each(['http://u:pw-Secret-42@127.0.0.1:8080', 'http://u@127.0.0.1:8080', 'https://:pw-Secret-42@staging.example.test'])('%s is refused, without echoing the password', (target) => {
    const err = usageError(() => validateConfig({ ...base(), target }));
    expect(err.message).toMatch(/target: must not contain credentials/);
    expect(err.message).not.toContain('pw-Secret-42');
  });

  it('as the <url> argument: exit 2 naming the argument', async () => {
    const err = await usageErrorAsync(loadConfig(baseFlags({ url: 'http://u:pw-Secret-42@127.0.0.1:8080' }), ENV));
    expect(err.message).toContain('<url>');
    expect(err.message).toMatch(/credentials/);
    expect(err.message).not.toContain('pw-Secret-42');
  });
});

describe('per-request timeout', () => {
  it.each(['30d', '25d', '2h', '61m', '1h1s'])('--timeout %s is refused: over 1h is not supported', async (timeout) => {
    const err = await usageErrorAsync(loadConfig(baseFlags({ timeout }), ENV));
    expect(err.message).toContain('--timeout');
    expect(err.message).toMatch(/longer than 1h is not supported/);
  });

  it.each([
    ['59m', 3_540_000],
    ['1h', 3_600_000],
    ['1500ms', 1500],
  ])('--timeout %s is accepted (%d ms)', async (timeout, ms) => {
    const { config } = await loadConfig(baseFlags({ timeout }), ENV);
    expect(config.timeout).toBe(ms);
  });
});

describe('deeply nested config files', () => {
  // Built as text: JSON.stringify itself recurses.
  const nestedObject = (depth: number): string => `${'{"nested":'.repeat(depth)}{"password":"{{password}}"}${'}'.repeat(depth)}`;
  const nestedArray = (depth: number): string => `{"password":${'['.repeat(depth)}"{{password}}"${']'.repeat(depth)}}`;
  const fileWithBody = (body: string): string =>
    `{"target":"http://127.0.0.1:8080","login":{"url":"/login","body":${body}},"credentials":{"username":"alice"},"authCheck":{"url":"/me"}}`;

  it.each([
    ['object', 2000, nestedObject],
    ['array', 2000, nestedArray],
    ['object', 100_000, nestedObject],
  ] as const)('login.body nested as an %s %d levels deep: a UsageError (exit 2), not a stack overflow', async (kind, depth, make) => {
    const path = await configFile(`deep-${kind}-${depth}.json`, fileWithBody(make(depth)));
    const err = await usageErrorAsync(loadConfig({ config: path }, ENV));
    expect(err.message).toContain(path);
    expect(err.message).toMatch(/nested more than \d+ levels deep/);
  });

  it('a body nested a plausible 10 levels still loads', async () => {
    const path = await configFile('nested-10.json', fileWithBody(nestedObject(10)));
    const { config } = await loadConfig({ config: path }, ENV);
    expect(JSON.stringify(config.login.body)).toContain('{{password}}');
  });
});

describe('request headers', () => {
  it.each([
    ['X-Emoji: 😀', /headers\.X-Emoji: header values must be printable ASCII/],
    ['X-Latin: café', /headers\.X-Latin: header values must be printable ASCII/],
    ['Content-Length: 5', /Content-Length is managed by the HTTP client/],
    ['Host: evil.example', /Host is managed by the HTTP client/],
    ['Transfer-Encoding: chunked', /Transfer-Encoding is managed by the HTTP client/],
  ])('-H "%s" is refused before any request', async (header, message) => {
    const err = await usageErrorAsync(loadConfig(baseFlags({ header: [header] }), ENV));
    expect(err.message).toMatch(message);
  });

  it('a header value with a line break in the config file is refused', () => {
    const err = usageError(() => validateConfig({ ...base(), headers: { 'X-A': 'b\r\nX-Injected: c' } }));
    expect(err.message).toMatch(/headers\.X-A: header values must be printable ASCII/);
  });

  it('login.headers and logout.headers are checked the same way', () => {
    const err = usageError(() =>
      validateConfig({ ...base(), login: { url: '/login', headers: { 'content-length': '5' } }, logout: { url: '/logout', headers: { 'X-E': '😀' } } }),
    );
    expect(err.message).toMatch(/login\.headers\.content-length: content-length is managed by the HTTP client/);
    expect(err.message).toMatch(/logout\.headers\.X-E: header values must be printable ASCII/);
  });

  it('an ordinary header is accepted', async () => {
    const { config } = await loadConfig(baseFlags({ header: ['Authorization: Basic YWxpY2U6cHc='] }), ENV);
    expect(config.headers).toEqual({ Authorization: 'Basic YWxpY2U6cHc=' });
  });
});

describe('authCheck.method HEAD', () => {
  it.each<Record<string, string>>([{ bodyIncludes: 'alice' }, { bodyExcludes: 'Sign in' }])('with %o is refused: a HEAD response has no body', (expectBody) => {
    const err = usageError(() => validateConfig({ ...base(), authCheck: { url: '/me', method: 'HEAD', expect: expectBody } }));
    expect(err.message).toMatch(/authCheck\.method: a HEAD response has no body/);
  });

  it('HEAD with a status expectation only is accepted', () => {
    expect(validateConfig({ ...base(), authCheck: { url: '/me', method: 'HEAD', expect: { status: 204 } } }).authCheck).toMatchObject({ method: 'HEAD', expect: { status: 204 } });
  });
});

describe('form login body without {{password}}', () => {
  it('is valid for a form login (the form password field is filled in)', () => {
    const cfg = validateConfig({ ...base(), login: { url: '/login', type: 'form', body: { username: '{{username}}' } } });
    expect(cfg.login).toMatchObject({ type: 'form', body: { username: '{{username}}' } });
  });

  it('is refused for a JSON login (the password would never be sent)', () => {
    const err = usageError(() => validateConfig({ ...base(), login: { url: '/login', type: 'json', body: { username: '{{username}}' } } }));
    expect(err.message).toMatch(/login\.body: no field contains \{\{password\}\}/);
  });
});
