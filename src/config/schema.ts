/**
 * The single truth for the config file and the flags: both are merged into one plain object and
 * validated here, so everything after this stage receives a fully defaulted `AuditConfig`.
 */
import { z } from 'zod';
import { GRADES } from '../report/score.js';
import { RULES } from '../rules/index.js';
import { parseDuration } from './duration.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)], {
    error: 'expected a JSON value (string, number, boolean, null, array or object)',
  }),
);

/** A duration such as `30m`; validated to milliseconds. */
export const durationSchema = z.string().transform((text, ctx) => {
  const parsed = parseDuration(text);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  }
  return parsed.ms;
});

const positiveDuration = (fallback: string) => durationSchema.pipe(z.number().positive('must be longer than 0')).prefault(fallback);

/** A path (`/login`) or a URL on the target's origin; resolved against the target later. */
const pathOrUrl = z.string().trim().min(1, 'expected a path such as /login');

const httpMethod = z
  .string()
  .transform((m) => m.toUpperCase())
  .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));

/** Headers the HTTP client manages itself; setting them by hand breaks requests. */
const MANAGED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);

const headerRecord = z
  .record(
    z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'header names are letters, digits and -'),
    z.string().refine((v) => /^[\t\x20-\x7e]*$/.test(v), 'header values must be printable ASCII (no line breaks, control or non-ASCII characters)'),
  )
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (MANAGED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [name], message: `${name} is managed by the HTTP client and cannot be set` });
    }
  });

const statusCode = z.number().int().min(100).max(599);

export const severityLevels = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof severityLevels)[number];

const loginSchema = z.strictObject({
  url: pathOrUrl,
  method: httpMethod.prefault('POST'),
  type: z.enum(['json', 'form']).default('json'),
  /** Fields to send. `{{username}}` and `{{password}}` are replaced. For forms, these add to or override the form's own fields. */
  body: z.record(z.string(), jsonValue).optional(),
  /** The page that shows the login form (form logins), or that carries a csrf-token meta tag (JSON logins). */
  page: pathOrUrl.optional(),
  headers: headerRecord.default({}),
});

const expectSchema = z.strictObject({
  status: z
    .union([statusCode, z.array(statusCode).min(1)], { error: 'expected an HTTP status code (100-599) or a list of them, e.g. 200 or [200, 204]' })
    .default(200),
  bodyIncludes: z.string().min(1).optional(),
  bodyExcludes: z.string().min(1).optional(),
});

const authCheckSchema = z.strictObject({
  url: pathOrUrl,
  method: z.enum(['GET', 'POST', 'HEAD']).default('GET'),
  expect: expectSchema.default({ status: 200 }),
  /** Off by default: a redirect to the login page is the usual "logged out" answer. */
  followRedirects: z.boolean().default(false),
});

const logoutSchema = z.strictObject({
  url: pathOrUrl,
  method: httpMethod.prefault('POST'),
  type: z.enum(['json', 'form', 'empty']).default('empty'),
  body: z.record(z.string(), jsonValue).optional(),
  /** A page holding the logout form or a csrf-token meta tag, fetched first (for CSRF-protected logouts). */
  page: pathOrUrl.optional(),
  headers: headerRecord.default({}),
});

/** A byte count: `1048576`, `512KiB`, `1MiB` (KB/MB are read as KiB/MiB). */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d{1,10})\s*(b|kib|kb|k|mib|mb|m)?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(m[1]) * factor;
}

const byteSize = z.union([z.number().int(), z.string()]).transform((v, ctx) => {
  const n = typeof v === 'number' ? v : parseByteSize(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a size such as 1048576, 512KiB or 1MiB' });
    return z.NEVER;
  }
  return n;
});

/** An origin such as https://sso.example.test (no path). */
const originSchema = z.string().trim().transform((v, ctx) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a URL; expected an origin such as https://sso.example.test` });
    return z.NEVER;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || (u.pathname !== '/' && u.pathname !== '') || u.search || u.username || u.password) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not an origin; expected scheme://host[:port] such as https://sso.example.test` });
    return z.NEVER;
  }
  return u.origin;
});

/** Load limits. Everything the audit sends passes these (src/http/client.ts). */
const limitsSchema = z.strictObject({
  /** The whole audit; past it no request starts and the remaining checks end in error. */
  deadline: durationSchema.pipe(z.number().positive('must be longer than 0').max(86_400_000, 'a deadline longer than 24h is not supported')).prefault('10m'),
  maxRequests: z.number().int().min(1).max(1_000_000).default(1000),
  /** Requests per second shared by every simulated browser; absent: no pacing. */
  rate: z.number().positive('must be more than 0').max(10_000).optional(),
  concurrency: z.number().int().min(1).max(64).default(2),
  maxRedirects: z.number().int().min(0).max(50).default(10),
  maxBody: byteSize.pipe(z.number().int().min(1024, 'at least 1KiB').max(64 * 1024 * 1024, 'at most 64MiB')).prefault('1MiB'),
  /** The longest Retry-After (on 429/503) the audit waits for; a longer one is taken as the answer. */
  retryAfterMax: durationSchema.pipe(z.number().min(0).max(600_000, 'at most 10m')).prefault('30s'),
});

/** Config for changing the password (opt-in; also needs allowPasswordChange / --allow-password-change). */
const passwordChangeSchema = z.strictObject({
  url: pathOrUrl,
  method: httpMethod.prefault('POST'),
  type: z.enum(['json', 'form']).default('json'),
  /** Fields to send; `{{password}}` (the current password) and `{{newPassword}}` are replaced. */
  body: z.record(z.string(), jsonValue).default({ password: '{{password}}', newPassword: '{{newPassword}}' }),
  /** A page holding the change form or a csrf-token meta tag, fetched first (as for login.page). */
  page: pathOrUrl.optional(),
  headers: headerRecord.default({}),
});

const restartSchema = z.strictObject({
  /** Run with the system shell; must restart the target and may return before it is ready. */
  command: z.string().trim().min(1, 'expected a shell command'),
  /** Polled after the command until it answers (any HTTP status). */
  readyUrl: pathOrUrl.optional(),
  /** A fixed wait after the command (and before polling readyUrl). */
  readyWait: durationSchema.pipe(z.number().min(0)).prefault('0s'),
  /** Limit for the command itself and for readiness. */
  timeout: positiveDuration('60s'),
});

const policySchema = z.strictObject({
  maxLifetime: positiveDuration('24h'),
  idleTimeout: positiveDuration('30m'),
});

export const PRESET_NAMES = ['session-audit:recommended', 'session-audit:strict'] as const;

const isRuleId = (id: string): boolean => RULES.some((r) => r.meta.id === id);
const unknownRule = (id: unknown): string => `unknown rule id ${JSON.stringify(id)}; \`session-audit rules\` lists them (${RULES.map((r) => r.meta.id).join(', ')})`;
const ruleId = z.string().refine(isRuleId, { error: (issue) => unknownRule(issue.input) });

/** A calendar day, YYYY-MM-DD; the ignore holds through the end of that day (UTC). */
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date such as 2026-03-31')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a real calendar date');

const ignoreSchema = z.strictObject({
  rule: ruleId,
  /** Only the finding about this session cookie. */
  cookie: z.string().min(1).optional(),
  /** Only when the target URL's path is this (e.g. "/app/"). */
  path: z.string().min(1).optional(),
  reason: z.string().trim().min(1, 'say why the finding is accepted (the reason is shown in every report)'),
  until: isoDay.optional(),
});

/** The keys that decide the gate and the verdicts; --from-evidence reads only these. */
export const gateShape = {
  /** A preset: a config fragment applied under the file (see config/presets.ts). */
  extends: z.enum(PRESET_NAMES).optional(),
  failOn: z.enum([...severityLevels, 'none']).default('high'),
  minScore: z.number().int().min(0).max(100).optional(),
  minGrade: z.enum(GRADES).optional(),
  assert: z
    .record(z.string(), z.enum(['off', 'warn', 'error']))
    .superRefine((rec, ctx) => {
      for (const id of Object.keys(rec)) if (!isRuleId(id)) ctx.addIssue({ code: 'custom', path: [id], message: unknownRule(id) });
    })
    .default({}),
  ignore: z.array(ignoreSchema).default([]),
  policy: policySchema.prefault({}),
  showSecrets: z.boolean().default(false),
};

/** An http:// or https:// URL (trimmed). */
function httpUrl(message: string) {
  return z
    .string()
    .trim()
    .refine((t) => {
      try {
        const u = new URL(t);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    }, message);
}

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    target: httpUrl('expected an http:// or https:// URL')
      .refine((t) => {
        try {
          const u = new URL(t);
          return u.username === '' && u.password === '';
        } catch {
          return true;
        }
      }, 'must not contain credentials (user:password@); for HTTP Basic auth in front of staging, pass -H "Authorization: Basic …"'),
    login: loginSchema,
    credentials: z.strictObject({
      username: z.string().min(1, 'expected a username'),
      passwordEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name such as SESSION_AUDIT_PASSWORD')
        .default('SESSION_AUDIT_PASSWORD'),
    }),
    authCheck: authCheckSchema,
    logout: logoutSchema.optional(),
    /** A hint: the session cookie is found by behaviour; this name is tried first. */
    sessionCookie: z.string().min(1).optional(),
    ...gateShape,
    /** The time the waiting probes (expiry, idle and absolute timeouts) may spend; 0s turns them off. */
    expiry: z.strictObject({ maxWait: durationSchema.pipe(z.number().min(0)).prefault('0s') }).prefault({}),
    passwordChange: passwordChangeSchema.optional(),
    /** The second key for the password-change probe (--allow-password-change). */
    allowPasswordChange: z.boolean().default(false),
    restart: restartSchema.optional(),
    headers: headerRecord.default({}),
    timeout: durationSchema
      .pipe(z.number().positive('must be longer than 0').max(3_600_000, 'a per-request timeout longer than 1h is not supported'))
      .prefault('10s'),
    ca: z.string().min(1).optional(),
    insecure: z.boolean().default(false),
    /** Client certificate and key (PEM files) for mTLS-protected targets. */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    /** A forward proxy (Burp, ZAP); HTTPS_PROXY/HTTP_PROXY/NO_PROXY are used when absent. */
    proxy: httpUrl('expected a proxy URL such as http://127.0.0.1:8080').optional(),
    /** Log in over plain http:// to a host that is not loopback (the password crosses the network in clear). */
    allowHttp: z.boolean().default(false),
    /** Origins besides the target's that requests may go to (an SSO host, an API on another port). */
    scope: z.strictObject({ allow: z.array(originSchema).max(50).default([]) }).prefault({}),
    limits: limitsSchema.prefault({}),
    /** Forge a cookie with a found weak secret and send it once, to prove the server accepts it. */
    prove: z.boolean().default(false),
    /** Extra candidate secrets, one per line, tried after the built-in list. */
    wordlist: z.string().min(1).optional(),
    /** Session IDs to collect for the entropy estimate; 0 turns the check off. */
    entropySamples: z.number().int().min(0).max(1000, 'at most 1000 samples').default(20),
  })
  .superRefine((cfg, ctx) => {
    let origin: string;
    try {
      origin = new URL(cfg.target).origin;
    } catch {
      return; // already reported on `target`
    }
    const urls: Array<[string[], string | undefined]> = [
      [['login', 'url'], cfg.login.url],
      [['login', 'page'], cfg.login.page],
      [['authCheck', 'url'], cfg.authCheck.url],
      [['logout', 'url'], cfg.logout?.url],
      [['logout', 'page'], cfg.logout?.page],
      [['passwordChange', 'url'], cfg.passwordChange?.url],
      [['passwordChange', 'page'], cfg.passwordChange?.page],
      [['restart', 'readyUrl'], cfg.restart?.readyUrl],
    ];
    for (const [path, value] of urls) {
      if (value === undefined) continue;
      let resolved: URL;
      try {
        resolved = new URL(value, cfg.target);
      } catch {
        ctx.addIssue({ code: 'custom', path, message: `"${value}" is not a path or URL` });
        continue;
      }
      if (resolved.origin !== origin && !cfg.scope.allow.includes(resolved.origin)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${resolved.origin} is not the target's origin (${origin}); session-audit only sends credentials and cookies to the target (add it to scope.allow if it belongs to the deployment)`,
        });
      }
    }
    if ((cfg.cert === undefined) !== (cfg.key === undefined)) {
      ctx.addIssue({ code: 'custom', path: [cfg.cert === undefined ? 'cert' : 'key'], message: 'a client certificate needs both --cert and --key' });
    }
    if (cfg.authCheck.method === 'HEAD' && (cfg.authCheck.expect.bodyIncludes !== undefined || cfg.authCheck.expect.bodyExcludes !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['authCheck', 'method'], message: 'a HEAD response has no body, so bodyIncludes/bodyExcludes can never match; use GET' });
    }
    if (cfg.allowPasswordChange && !cfg.passwordChange) {
      ctx.addIssue({ code: 'custom', path: ['allowPasswordChange'], message: 'the password-change probe is allowed but not configured: add "passwordChange" (url, body with {{password}} and {{newPassword}}) to the config, or drop --allow-password-change' });
    }
    if (cfg.login.method === 'GET') {
      ctx.addIssue({ code: 'custom', path: ['login', 'method'], message: 'GET would put the password in the URL (and in server logs); use POST' });
    }
    if (cfg.login.type === 'json') {
      const body = cfg.login.body;
      if (body && !JSON.stringify(body).includes('{{password}}')) {
        ctx.addIssue({ code: 'custom', path: ['login', 'body'], message: 'no field contains {{password}}' });
      }
    }
    if (cfg.passwordChange) {
      const text = JSON.stringify(cfg.passwordChange.body);
      if (!text.includes('{{newPassword}}')) ctx.addIssue({ code: 'custom', path: ['passwordChange', 'body'], message: 'no field contains {{newPassword}}' });
      if (cfg.passwordChange.method === 'GET') ctx.addIssue({ code: 'custom', path: ['passwordChange', 'method'], message: 'GET would put the password in the URL; use POST' });
    }
  });

export type AuditConfigInput = z.input<typeof configSchema>;
export type AuditConfig = z.output<typeof configSchema>;
export type LoginConfig = AuditConfig['login'];
export type LogoutConfig = NonNullable<AuditConfig['logout']>;
export type AuthCheckConfig = AuditConfig['authCheck'];
export type Policy = AuditConfig['policy'];
export type IgnoreEntry = AuditConfig['ignore'][number];

/** The gate keys alone, for --from-evidence (no target, login or password needed). */
export const gateConfigSchema = z.strictObject({ $schema: z.string().optional(), ...gateShape });
export type GateConfig = z.output<typeof gateConfigSchema>;
export type PasswordChangeConfig = NonNullable<AuditConfig['passwordChange']>;
export type RestartConfig = NonNullable<AuditConfig['restart']>;
