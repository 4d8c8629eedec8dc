/**
 * Config file loading, flag merging and validation. The flags become an overlay on the file's
 * JSON; the merged object is validated once by `configSchema`, so a value is checked the same way
 * wherever it came from. Errors name the exact field (and the flag, when a flag set it).
 */
import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { PRESETS } from './presets.js';
import { configSchema, gateConfigSchema, gateShape, type AuditConfig, type GateConfig, type JsonValue } from './schema.js';

/** Flags that map onto config keys. Output, format and display flags live in the CLI. */
export interface ConfigFlags {
  url?: string;
  config?: string;
  login?: string;
  loginType?: string;
  username?: string;
  passwordEnv?: string;
  authCheck?: string;
  logout?: string;
  sessionCookie?: string;
  failOn?: string;
  minScore?: string;
  minGrade?: string;
  timeout?: string;
  header?: string[];
  insecure?: boolean;
  ca?: string;
  showSecrets?: boolean;
  cert?: string;
  key?: string;
  proxy?: string;
  allowHttp?: boolean;
  allowOrigin?: string[];
  deadline?: string;
  maxRequests?: string;
  rate?: string;
  concurrency?: string;
  maxRedirects?: string;
  maxBody?: string;
  /** Read the password from stdin instead of the environment. */
  passwordStdin?: boolean;
  expiryWait?: string;
  idleTimeout?: string;
  maxLifetime?: string;
  allowPasswordChange?: boolean;
  restartCommand?: string;
  restartReadyUrl?: string;
  restartWait?: string;
  prove?: boolean;
  wordlist?: string;
  entropySamples?: string;
}

/** The password, kept out of every serialisation and inspection of the objects that carry it. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return 'Secret([redacted])';
  }
}

export interface LoadedConfig {
  config: AuditConfig;
  password: Secret;
  /** Absolute or cwd-relative path of the config file, when one was given. */
  configPath?: string;
}

const FLAG_FOR_PATH: Record<string, string> = {
  target: '<url>',
  'login.url': '--login',
  'login.type': '--login-type',
  'credentials.username': '--username',
  'credentials.passwordEnv': '--password-env',
  'authCheck.url': '--auth-check',
  'logout.url': '--logout',
  sessionCookie: '--session-cookie',
  failOn: '--fail-on',
  minScore: '--min-score',
  minGrade: '--min-grade',
  timeout: '--timeout',
  ca: '--ca',
  cert: '--cert',
  key: '--key',
  proxy: '--proxy',
  'scope.allow': '--allow-origin',
  'limits.deadline': '--deadline',
  'limits.maxRequests': '--max-requests',
  'limits.rate': '--rate',
  'limits.concurrency': '--concurrency',
  'limits.maxRedirects': '--max-redirects',
  'limits.maxBody': '--max-body',
  'expiry.maxWait': '--expiry-wait',
  'policy.idleTimeout': '--idle-timeout',
  'policy.maxLifetime': '--max-lifetime',
  'restart.command': '--restart-command',
  'restart.readyUrl': '--restart-ready-url',
  'restart.readyWait': '--restart-wait',
  wordlist: '--wordlist',
  entropySamples: '--entropy-samples',
};

/** A numeric flag: a plain decimal number, or a usage error naming the flag. */
function numberFlag(flag: string, text: string, integer: boolean): number {
  const ok = integer ? /^\s*\d{1,9}\s*$/.test(text) : /^\s*(\d{1,9}(\.\d{1,6})?|\.\d{1,6})\s*$/.test(text);
  if (!ok) throw new UsageError(`${flag}: expected ${integer ? 'a whole number' : 'a number'} of 0 or more, written in digits, got "${text}"`);
  return Number(text);
}

type Plain = { [key: string]: JsonValue };

function isPlainObject(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key; anything else in `over` replaces `base`. */
export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? deepMerge(b, v) : v;
  }
  return out;
}

export function parseHeaderFlag(h: string): [string, string] {
  const idx = h.indexOf(':');
  if (idx <= 0) throw new UsageError(`-H/--header "${h}": expected "Name: value"`);
  const name = h.slice(0, idx).trim();
  const value = h.slice(idx + 1).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`-H/--header "${h}": "${name}" is not a valid header name`);
  return [name, value];
}

/** The flags as a config-shaped overlay. Only flags the user actually gave are present. */
export function flagsToOverlay(flags: ConfigFlags): Plain {
  const o: Plain = {};
  const set = (path: string[], value: JsonValue): void => {
    let node: Plain = o;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (!isPlainObject(next)) node[key] = {};
      node = node[key] as Plain;
    }
    node[path[path.length - 1] as string] = value;
  };
  if (flags.url !== undefined) set(['target'], flags.url);
  if (flags.login !== undefined) set(['login', 'url'], flags.login);
  if (flags.loginType !== undefined) set(['login', 'type'], flags.loginType);
  if (flags.username !== undefined) set(['credentials', 'username'], flags.username);
  if (flags.passwordEnv !== undefined) set(['credentials', 'passwordEnv'], flags.passwordEnv);
  if (flags.authCheck !== undefined) set(['authCheck', 'url'], flags.authCheck);
  if (flags.logout !== undefined) set(['logout', 'url'], flags.logout);
  if (flags.sessionCookie !== undefined) set(['sessionCookie'], flags.sessionCookie);
  if (flags.failOn !== undefined) set(['failOn'], flags.failOn);
  if (flags.minScore !== undefined) {
    const n = Number(flags.minScore);
    if (!/^\d+$/.test(flags.minScore.trim()) || n > 100) {
      throw new UsageError(`--min-score: expected a whole number from 0 to 100, got "${flags.minScore}"`);
    }
    set(['minScore'], n);
  }
  if (flags.minGrade !== undefined) set(['minGrade'], flags.minGrade);
  if (flags.timeout !== undefined) set(['timeout'], flags.timeout);
  if (flags.header && flags.header.length > 0) {
    const headers: Plain = {};
    for (const h of flags.header) {
      const [name, value] = parseHeaderFlag(h);
      headers[name] = value;
    }
    set(['headers'], headers);
  }
  if (flags.insecure) set(['insecure'], true);
  if (flags.ca !== undefined) set(['ca'], flags.ca);
  if (flags.showSecrets) set(['showSecrets'], true);
  if (flags.cert !== undefined) set(['cert'], flags.cert);
  if (flags.key !== undefined) set(['key'], flags.key);
  if (flags.proxy !== undefined) set(['proxy'], flags.proxy);
  if (flags.allowHttp) set(['allowHttp'], true);
  if (flags.allowOrigin && flags.allowOrigin.length > 0) set(['scope', 'allow'], flags.allowOrigin);
  if (flags.deadline !== undefined) set(['limits', 'deadline'], flags.deadline);
  if (flags.maxRequests !== undefined) set(['limits', 'maxRequests'], numberFlag('--max-requests', flags.maxRequests, true));
  if (flags.rate !== undefined) set(['limits', 'rate'], numberFlag('--rate', flags.rate, false));
  if (flags.concurrency !== undefined) set(['limits', 'concurrency'], numberFlag('--concurrency', flags.concurrency, true));
  if (flags.maxRedirects !== undefined) set(['limits', 'maxRedirects'], numberFlag('--max-redirects', flags.maxRedirects, true));
  if (flags.maxBody !== undefined) set(['limits', 'maxBody'], flags.maxBody);
  if (flags.expiryWait !== undefined) set(['expiry', 'maxWait'], flags.expiryWait);
  if (flags.idleTimeout !== undefined) set(['policy', 'idleTimeout'], flags.idleTimeout);
  if (flags.maxLifetime !== undefined) set(['policy', 'maxLifetime'], flags.maxLifetime);
  if (flags.allowPasswordChange) set(['allowPasswordChange'], true);
  if (flags.restartCommand !== undefined) set(['restart', 'command'], flags.restartCommand);
  if (flags.restartReadyUrl !== undefined) set(['restart', 'readyUrl'], flags.restartReadyUrl);
  if (flags.restartWait !== undefined) set(['restart', 'readyWait'], flags.restartWait);
  if (flags.prove) set(['prove'], true);
  if (flags.wordlist !== undefined) set(['wordlist'], flags.wordlist);
  if (flags.entropySamples !== undefined) {
    if (!/^\d+$/.test(flags.entropySamples.trim())) {
      throw new UsageError(`--entropy-samples: expected a whole number (0 turns the entropy check off), got "${flags.entropySamples}"`);
    }
    set(['entropySamples'], Number(flags.entropySamples));
  }
  return o;
}

/** What to do when a required part is missing altogether. */
const MISSING_HINT: Record<string, string> = {
  login: 'give --login <path> (and --login-type json|form), or set "login": {"url": ...} in the config file',
  'login.url': 'give --login <path>, or set login.url in the config file',
  credentials: 'give --username <user>, or set "credentials": {"username": ...} in the config file',
  'credentials.username': 'give --username <user>, or set credentials.username in the config file',
  authCheck: 'give --auth-check <path> (a URL only a logged-in user gets), or set "authCheck": {"url": ...} in the config file',
  'authCheck.url': 'give --auth-check <path>, or set authCheck.url in the config file',
};

function describeReceived(input: unknown): string {
  if (input === undefined) return 'missing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  return typeof input === 'object' ? 'an object' : typeof input;
}

/** One line per problem: `login.body.password: expected string, got number`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], fromFlags: Set<string>): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join('.');
    // scope.allow.0 was set by --allow-origin: name the flag for list items too.
    const listBase = issue.path.filter((p) => typeof p !== 'number').map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const full = base ? `${base}.${key}` : key;
        lines.push(`${full}: unknown key (check the spelling; see the README's config reference)`);
      }
      continue;
    }
    const flagBase = fromFlags.has(base) ? base : fromFlags.has(listBase) ? listBase : undefined;
    const where = flagBase !== undefined && FLAG_FOR_PATH[flagBase] ? `${FLAG_FOR_PATH[flagBase]} (${base})` : base || '(config)';
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      const received = describeReceived(issue.input);
      message =
        received === 'missing'
          ? MISSING_HINT[base]
            ? `required: ${MISSING_HINT[base]}`
            : `required (expected ${issue.expected})`
          : `expected ${issue.expected}, got ${received}`;
    } else if (issue.code === 'invalid_value') {
      message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    lines.push(`${where}: ${message}`);
  }
  return lines;
}

function flagPaths(overlay: Plain, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(overlay)) {
    const p = prefix ? `${prefix}.${k}` : k;
    out.add(p);
    if (isPlainObject(v)) for (const q of flagPaths(v, p)) out.add(q);
  }
  return out;
}

const MAX_DEPTH = 32;

/** Iterative, so a hostile file cannot overflow the stack while being measured. */
function depthExceeds(root: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (depth > max) return true;
    if (node !== null && typeof node === 'object') for (const v of Object.values(node)) stack.push([v, depth + 1]);
  }
  return false;
}

export async function readConfigFile(path: string): Promise<Plain> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(code ?? err);
    throw new UsageError(`Cannot read config file ${path}: ${why}.`, 'E_CONFIG_READ');
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new UsageError(`Config file ${path} is not valid JSON: ${detail}.`, 'E_CONFIG_SYNTAX');
  }
  if (!isPlainObject(data)) {
    throw new UsageError(`Config file ${path} must hold a JSON object at the top level.`, 'E_CONFIG_SHAPE');
  }
  return data;
}

/** Validate merged input; throws UsageError naming every bad field. */
export function validateConfig(input: Plain, fromFlags: Set<string> = new Set(), source = 'configuration'): AuditConfig {
  if (depthExceeds(input, MAX_DEPTH)) {
    throw new UsageError(`Invalid ${source}: nested more than ${MAX_DEPTH} levels deep; no setting needs that.`, 'E_CONFIG_SHAPE');
  }
  const result = configSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const lines = formatIssues(result.error.issues, fromFlags);
    throw new UsageError(`Invalid ${source}:\n  ${lines.join('\n  ')}`, 'E_CONFIG_INVALID');
  }
  return result.data;
}

export function readPassword(config: AuditConfig, env: NodeJS.ProcessEnv): Secret {
  const name = config.credentials.passwordEnv;
  const value = env[name];
  if (value === undefined || value === '') {
    throw new UsageError(
      `The password is read from the environment variable ${name}, which is ${value === undefined ? 'not set' : 'empty'}. ` +
        `Set it for this command (for example: read -rs ${name} && export ${name}), or name another variable with --password-env / credentials.passwordEnv. ` +
        'session-audit never takes a password as a flag value, so it does not end up in shell history.',
      'E_NO_PASSWORD',
    );
  }
  return new Secret(value);
}

/** A preset named by "extends" goes under the file: whatever the file or a flag sets wins. */
export function applyPreset(input: Plain): Plain {
  const name = input.extends;
  if (typeof name !== 'string') return input;
  const preset = PRESETS[name];
  return preset ? deepMerge(preset, input) : input; // an unknown name is reported by the schema
}

/** The first line of a piped stdin, without its line ending. */
export async function readPasswordStdin(stdin: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin): Promise<Secret> {
  if (stdin.isTTY) {
    throw new UsageError(
      '--password-stdin reads the password from a pipe (printf %s "$PW" | session-audit ... --password-stdin), but stdin is a terminal. Pipe the password in, or use --password-env.',
      'E_NO_PASSWORD',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    chunks.push(buf);
    size += buf.length;
    if (buf.includes(10) || size > 64 * 1024) break;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (line === '') throw new UsageError('--password-stdin: stdin held no password (the first line was empty).', 'E_NO_PASSWORD');
  return new Secret(line);
}

export async function loadConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env, stdin?: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<LoadedConfig> {
  const file = flags.config ? await readConfigFile(flags.config) : {};
  const overlay = flagsToOverlay(flags);
  const merged = applyPreset(deepMerge(file, overlay));
  if (merged.target === undefined) {
    throw new UsageError('No target: give the URL to audit (session-audit https://staging.example.test ...) or set "target" in the config file.', 'E_NO_TARGET');
  }
  const source = flags.config ? `config (${flags.config} and flags)` : 'flags';
  const config = validateConfig(merged, flagPaths(overlay), source);
  const password = flags.passwordStdin ? await readPasswordStdin(stdin) : readPassword(config, env);
  return flags.config ? { config, password, configPath: flags.config } : { config, password };
}

/**
 * For --from-evidence: only the keys that decide verdicts and the gate (policy, failOn, minScore,
 * minGrade, assert, ignore, extends, showSecrets). Target, login and credentials are not needed;
 * a full config file is accepted and its other keys are left alone.
 */
export async function loadGateConfig(flags: ConfigFlags): Promise<{ config: GateConfig; configPath?: string }> {
  const file = flags.config ? await readConfigFile(flags.config) : {};
  const overlay = flagsToOverlay(flags);
  const merged = applyPreset(deepMerge(file, overlay));
  const picked: Plain = {};
  for (const key of Object.keys(gateShape)) if (merged[key] !== undefined) picked[key] = merged[key] as JsonValue;
  const result = gateConfigSchema.safeParse(picked, { reportInput: true });
  if (!result.success) {
    const source = flags.config ? `config (${flags.config} and flags)` : 'flags';
    throw new UsageError(`Invalid ${source}:\n  ${formatIssues(result.error.issues, flagPaths(overlay)).join('\n  ')}`, 'E_CONFIG_INVALID');
  }
  return flags.config ? { config: result.data, configPath: flags.config } : { config: result.data };
}
