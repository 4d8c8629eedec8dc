import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepMerge, flagsToOverlay, loadConfig, parseHeaderFlag, readPassword, validateConfig } from '../../src/config/load.js';
import { ExitCode, UsageError } from '../../src/errors.js';

const EXAMPLE = {
  target: 'https://staging.example.test',
  login: { url: '/login', method: 'POST', type: 'json', body: { email: '{{username}}', password: '{{password}}' } },
  credentials: { username: 'alice@example.test', passwordEnv: 'SESSION_AUDIT_PASSWORD' },
  authCheck: { url: '/me', expect: { status: 200 } },
  logout: { url: '/logout', method: 'POST' },
  sessionCookie: 'connect.sid',
  policy: { maxLifetime: '24h', idleTimeout: '30m' },
};

/** A fresh deep copy of the example, so tests can change it freely. */
function example(): Record<string, any> {
  return structuredClone(EXAMPLE);
}

/** The UsageError thrown by `fn`, or a failed expectation when it does not throw one. */
function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

async function usageErrorAsync(p: Promise<unknown>): Promise<UsageError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

describe('validateConfig', () => {
  it('accepts the README example and fills every default', () => {
    const cfg = validateConfig(example());
    expect(cfg).toEqual({
      target: 'https://staging.example.test',
      login: { url: '/login', method: 'POST', type: 'json', body: { email: '{{username}}', password: '{{password}}' }, headers: {} },
      credentials: { username: 'alice@example.test', passwordEnv: 'SESSION_AUDIT_PASSWORD' },
      authCheck: { url: '/me', method: 'GET', expect: { status: 200 }, followRedirects: false },
      logout: { url: '/logout', method: 'POST', type: 'empty', headers: {} },
      sessionCookie: 'connect.sid',
      policy: { maxLifetime: 86_400_000, idleTimeout: 1_800_000 },
      headers: {},
      timeout: 10_000,
      insecure: false,
      allowHttp: false,
      scope: { allow: [] },
      limits: { deadline: 600_000, maxRequests: 1000, concurrency: 2, maxRedirects: 10, maxBody: 1024 * 1024, retryAfterMax: 30_000 },
      failOn: 'high',
      assert: {},
      ignore: [],
      showSecrets: false,
      expiry: { maxWait: 0 },
      allowPasswordChange: false,
      prove: false,
      entropySamples: 20,
    });
  });

  it('fills defaults for a minimal config (method POST, status 200, 24h/30m, 10s)', () => {
    const cfg = validateConfig({ target: 'http://localhost:3000', login: { url: '/api/login' }, credentials: { username: 'bob' }, authCheck: { url: '/me' } });
    expect(cfg.login.method).toBe('POST');
    expect(cfg.login.type).toBe('json');
    expect(cfg.credentials.passwordEnv).toBe('SESSION_AUDIT_PASSWORD');
    expect(cfg.authCheck.expect.status).toBe(200);
    expect(cfg.authCheck.followRedirects).toBe(false);
    expect(cfg.policy).toEqual({ maxLifetime: 86_400_000, idleTimeout: 1_800_000 });
    expect(cfg.timeout).toBe(10_000);
    expect(cfg.failOn).toBe('high');
    expect(cfg.minScore).toBeUndefined();
    expect(cfg.logout).toBeUndefined();
  });

  it('upper-cases the login method', () => {
    const input = example();
    input.login.method = 'put';
    expect(validateConfig(input).login.method).toBe('PUT');
  });

  it('names a missing credentials.username', () => {
    const input = example();
    delete input.credentials.username;
    const err = usageError(() => validateConfig(input));
    expect(err.message).toContain('credentials.username: required: give --username <user>, or set credentials.username in the config file');
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('E_CONFIG_INVALID');
  });

  it('names a leaf of the wrong type', () => {
    const input = example();
    input.credentials.username = 42;
    expect(usageError(() => validateConfig(input)).message).toMatch(/credentials\.username: .*expected string/);
  });

  it('says what it got for a present value of the wrong type, instead of "required"', () => {
    const input = example();
    input.credentials.username = 42;
    input.target = 42;
    const message = usageError(() => validateConfig(input)).message;
    expect(message).toContain('credentials.username: expected string, got number');
    expect(message).toContain('target: expected string, got number');
    expect(message).not.toContain('required');
  });

  it('accepts a number in login.body (bodies are JSON values)', () => {
    const input = example();
    input.login.body = { email: '{{username}}', password: '{{password}}', remember: 1 };
    expect(validateConfig(input).login.body).toEqual({ email: '{{username}}', password: '{{password}}', remember: 1 });
  });

  it('refuses a JSON login body without {{password}}', () => {
    const input = example();
    input.login.body = { email: '{{username}}', pass: 'hunter2' };
    expect(usageError(() => validateConfig(input)).message).toContain('login.body: no field contains {{password}}');
  });

  it('names an unknown key with its full path', () => {
    const input = example();
    input.login.methd = 'POST';
    const err = usageError(() => validateConfig(input));
    expect(err.message).toContain('login.methd: unknown key');
    expect(err.message).not.toContain('login.method');
  });

  it('names an unknown top-level key', () => {
    const input = example();
    input.polcy = {};
    expect(usageError(() => validateConfig(input)).message).toContain('polcy: unknown key');
  });

  it.each([
    ['login', 'url', 'https://evil.example/login', 'login.url: https://evil.example is not the target\'s origin (https://staging.example.test)'],
    ['login', 'url', '//evil.example/login', 'login.url: https://evil.example is not the target\'s origin'],
    ['login', 'url', 'http://staging.example.test/login', 'login.url: http://staging.example.test is not the target\'s origin'],
    ['authCheck', 'url', 'https://staging.example.test:8443/me', 'authCheck.url: https://staging.example.test:8443 is not the target\'s origin'],
    ['logout', 'url', 'https://sso.example.test/logout', 'logout.url: https://sso.example.test is not the target\'s origin'],
  ])('refuses %s.%s on another origin (%s)', (section, key, value, message) => {
    const input = example();
    input[section][key] = value;
    expect(usageError(() => validateConfig(input)).message).toContain(message);
  });

  it('accepts an absolute URL on the target origin', () => {
    const input = example();
    input.login.url = 'https://staging.example.test/api/login';
    expect(validateConfig(input).login.url).toBe('https://staging.example.test/api/login');
  });

  it('refuses a target that is not http(s)', () => {
    const input = example();
    input.target = 'ftp://staging.example.test';
    expect(usageError(() => validateConfig(input)).message).toContain('target: expected an http:// or https:// URL');
  });

  it('names a policy duration without a unit, with the unit suggestion', () => {
    const input = example();
    input.policy.maxLifetime = '24';
    expect(usageError(() => validateConfig(input)).message).toContain('policy.maxLifetime: "24" has no unit: write 24s, 24m or 24ms');
  });

  it('lists the allowed values of an enum', () => {
    const input = example();
    input.failOn = 'severe';
    expect(usageError(() => validateConfig(input)).message).toContain('failOn: expected one of "critical", "high", "medium", "low", "none"');
  });

  it('reports every bad field at once, one per line', () => {
    const input = example();
    delete input.credentials.username;
    input.timeout = 'forever';
    input.login.methd = 'x';
    const lines = usageError(() => validateConfig(input)).message.split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    expect(lines.slice(1).map((l) => l.trim().split(':')[0]).sort()).toEqual(['credentials.username', 'login.methd', 'timeout']);
  });

  it('refuses header values with line breaks', () => {
    const input = example();
    input.headers = { 'X-Test': 'a\r\nInjected: 1' };
    expect(usageError(() => validateConfig(input)).message).toContain('headers.X-Test: header values must be printable ASCII');
  });

  it('explains what authCheck.expect.status accepts when given a string', () => {
    const input = example();
    input.authCheck.expect.status = '200';
    const message = usageError(() => validateConfig(input)).message;
    expect(message).toContain('authCheck.expect.status');
    expect(message).toMatch(/number|status code|100.*599/i);
  });
});

describe('flagsToOverlay', () => {
  it('maps flags onto config keys, only for flags that were given', () => {
    expect(flagsToOverlay({})).toEqual({});
    expect(flagsToOverlay({ url: 'https://a.test', login: '/login', loginType: 'form', username: 'u', authCheck: '/me', minScore: '80', header: ['X-A: 1', 'Authorization: Bearer a:b'], insecure: true })).toEqual({
      target: 'https://a.test',
      login: { url: '/login', type: 'form' },
      credentials: { username: 'u' },
      authCheck: { url: '/me' },
      minScore: 80,
      headers: { 'X-A': '1', Authorization: 'Bearer a:b' },
      insecure: true,
    });
  });

  it.each(['abc', '-1', '101', '8.5', '', '1e2'])('refuses --min-score %j', (value) => {
    const err = usageError(() => flagsToOverlay({ minScore: value }));
    expect(err.message).toBe(`--min-score: expected a whole number from 0 to 100, got "${value}"`);
    expect(err.exitCode).toBe(2);
  });

  it.each(['0', '100', ' 75 '])('accepts --min-score %j', (value) => {
    expect(flagsToOverlay({ minScore: value })).toEqual({ minScore: Number(value) });
  });

  it.each([
    ['NoColon', '-H/--header "NoColon": expected "Name: value"'],
    [': value', '-H/--header ": value": expected "Name: value"'],
    ['Bad Name: v', '-H/--header "Bad Name: v": "Bad Name" is not a valid header name'],
  ])('refuses a bad -H header %j', (header, message) => {
    expect(usageError(() => flagsToOverlay({ header: [header] })).message).toBe(message);
  });

  it('parseHeaderFlag trims name and value and keeps colons in the value', () => {
    expect(parseHeaderFlag('  X-Forwarded-Proto :  https ')).toEqual(['X-Forwarded-Proto', 'https']);
    expect(parseHeaderFlag('Cookie: a=b:c')).toEqual(['Cookie', 'a=b:c']);
  });

  it('deepMerge lets flags override file values key by key', () => {
    const merged = deepMerge(example(), flagsToOverlay({ login: '/v2/login', failOn: 'low' }));
    expect(merged.login).toEqual({ ...EXAMPLE.login, url: '/v2/login' });
    expect(merged.failOn).toBe('low');
    expect(merged.credentials).toEqual(EXAMPLE.credentials);
  });
});

describe('readPassword', () => {
  const cfg = validateConfig({ ...example(), credentials: { username: 'alice', passwordEnv: 'MY_APP_PW' } });

  it('reads the password from the named variable into a Secret', () => {
    const secret = readPassword(cfg, { MY_APP_PW: 'hunter2' });
    expect(secret.reveal()).toBe('hunter2');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(String(secret)).toBe('[redacted]');
  });

  it('throws a UsageError naming the variable when it is missing (exit 2)', () => {
    const err = usageError(() => readPassword(cfg, {}));
    expect(err.exitCode).toBe(ExitCode.usage);
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('E_NO_PASSWORD');
    expect(err.message).toContain('environment variable MY_APP_PW, which is not set');
  });

  it('says "empty" when the variable is set but empty', () => {
    expect(usageError(() => readPassword(cfg, { MY_APP_PW: '' })).message).toContain('MY_APP_PW, which is empty');
  });
});

describe('loadConfig', () => {
  let dir: string;
  const env = { SESSION_AUDIT_PASSWORD: 'pw-from-env' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'session-audit-unit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a config file, applies flags on top and reads the password', async () => {
    const path = join(dir, 'ok.json');
    await writeFile(path, `\uFEFF${JSON.stringify(EXAMPLE)}`);
    const loaded = await loadConfig({ config: path, failOn: 'medium', minScore: '70' }, env);
    expect(loaded.configPath).toBe(path);
    expect(loaded.config.failOn).toBe('medium');
    expect(loaded.config.minScore).toBe(70);
    expect(loaded.config.login.url).toBe('/login');
    expect(loaded.password.reveal()).toBe('pw-from-env');
  });

  it('a non-existent file is a UsageError (exit 2) that says so', async () => {
    const path = join(dir, 'missing.json');
    const err = await usageErrorAsync(loadConfig({ config: path }, env));
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('E_CONFIG_READ');
    expect(err.message).toBe(`Cannot read config file ${path}: no such file.`);
  });

  it('a directory is a UsageError that says so', async () => {
    const err = await usageErrorAsync(loadConfig({ config: dir }, env));
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`Cannot read config file ${dir}: it is a directory.`);
  });

  it('a JSON syntax error is a UsageError (exit 2) naming the file', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{"target": "https://a.test",}');
    const err = await usageErrorAsync(loadConfig({ config: path }, env));
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('E_CONFIG_SYNTAX');
    expect(err.message).toMatch(new RegExp(`^Config file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON: .+\\.$`));
  });

  it('a top-level array is a UsageError (exit 2)', async () => {
    const path = join(dir, 'array.json');
    await writeFile(path, JSON.stringify([EXAMPLE]));
    const err = await usageErrorAsync(loadConfig({ config: path }, env));
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('E_CONFIG_SHAPE');
    expect(err.message).toBe(`Config file ${path} must hold a JSON object at the top level.`);
  });

  it('without a target anywhere, asks for one', async () => {
    const err = await usageErrorAsync(loadConfig({ login: '/login' }, env));
    expect(err.code).toBe('E_NO_TARGET');
    expect(err.exitCode).toBe(2);
  });

  it('names the flag when a flag set the bad value', async () => {
    const err = await usageErrorAsync(loadConfig({ url: 'ftp://a.test', login: '/login', username: 'u', authCheck: '/me' }, env));
    expect(err.message).toContain('<url> (target): expected an http:// or https:// URL');
    const err2 = await usageErrorAsync(loadConfig({ url: 'https://a.test', login: '/login', username: 'u', authCheck: '/me', timeout: '10' }, env));
    expect(err2.message).toContain('--timeout (timeout): "10" has no unit');
  });

  it('a missing password variable is reported after the config validates', async () => {
    const path = join(dir, 'ok2.json');
    await writeFile(path, JSON.stringify(EXAMPLE));
    const err = await usageErrorAsync(loadConfig({ config: path }, {}));
    expect(err.code).toBe('E_NO_PASSWORD');
    expect(err.message).toContain('SESSION_AUDIT_PASSWORD');
  });
});

describe('lifetime config and flags', () => {
  const base = { target: 'https://a.test', login: { url: '/login' }, credentials: { username: 'u' }, authCheck: { url: '/me' } };

  it('maps the lifetime flags onto their config keys, which validate to milliseconds', () => {
    const overlay = flagsToOverlay({ expiryWait: '10s', idleTimeout: '3s', maxLifetime: '1h', allowPasswordChange: true, restartCommand: 'systemctl restart app', restartReadyUrl: '/health', restartWait: '2s' });
    expect(overlay).toEqual({
      expiry: { maxWait: '10s' },
      policy: { idleTimeout: '3s', maxLifetime: '1h' },
      allowPasswordChange: true,
      restart: { command: 'systemctl restart app', readyUrl: '/health', readyWait: '2s' },
    });
    const cfg = validateConfig(deepMerge({ ...base, passwordChange: { url: '/account/password' } }, overlay));
    expect(cfg.allowPasswordChange).toBe(true);
    expect(cfg.expiry).toEqual({ maxWait: 10_000 });
    expect(cfg.policy).toEqual({ idleTimeout: 3000, maxLifetime: 3_600_000 });
    expect(cfg.restart).toEqual({ command: 'systemctl restart app', readyUrl: '/health', readyWait: 2000, timeout: 60_000 });
  });

  it('passwordChange: defaults, and a body without {{newPassword}} or a GET is refused', () => {
    const cfg = validateConfig({ ...base, passwordChange: { url: '/account/password' } });
    expect(cfg.passwordChange).toEqual({ url: '/account/password', method: 'POST', type: 'json', body: { password: '{{password}}', newPassword: '{{newPassword}}' }, headers: {} });
    expect(cfg.allowPasswordChange).toBe(false);
    const err = usageError(() => validateConfig({ ...base, passwordChange: { url: '/pw', method: 'GET', body: { pw: '{{password}}' } } }));
    expect(err.message).toContain('passwordChange.body: no field contains {{newPassword}}');
    expect(err.message).toContain('passwordChange.method: GET would put the password in the URL');
    expect(usageError(() => validateConfig({ ...base, allowPasswordChange: true })).message).toContain('allowed but not configured');
  });

  it('a readiness URL or password-change URL on another origin is refused; a negative wait names its flag', () => {
    const err = usageError(() => validateConfig({ ...base, passwordChange: { url: 'https://evil.test/pw' }, restart: { command: 'x', readyUrl: 'http://elsewhere.test/' } }));
    expect(err.message).toContain('passwordChange.url: https://evil.test is not the target\'s origin');
    expect(err.message).toContain('restart.readyUrl: http://elsewhere.test is not the target\'s origin');
    const flagErr = usageError(() => validateConfig(deepMerge(base, flagsToOverlay({ expiryWait: 'later' })), new Set(['expiry', 'expiry.maxWait'])));
    expect(flagErr.message).toContain('--expiry-wait (expiry.maxWait): "later" is not a duration');
  });
});
