/**
 * The single truth for the config file and the flags: both are merged into one plain object and
 * validated here, so everything after this stage receives a fully defaulted `AuditConfig`.
 */
import { z } from 'zod';
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

const policySchema = z.strictObject({
  maxLifetime: positiveDuration('24h'),
  idleTimeout: positiveDuration('30m'),
});

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    target: z
      .string()
      .trim()
      .refine((t) => {
        try {
          const u = new URL(t);
          return u.protocol === 'http:' || u.protocol === 'https:';
        } catch {
          return false;
        }
      }, 'expected an http:// or https:// URL')
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
    policy: policySchema.prefault({}),
    headers: headerRecord.default({}),
    timeout: durationSchema
      .pipe(z.number().positive('must be longer than 0').max(3_600_000, 'a per-request timeout longer than 1h is not supported'))
      .prefault('10s'),
    ca: z.string().min(1).optional(),
    insecure: z.boolean().default(false),
    failOn: z.enum([...severityLevels, 'none']).default('high'),
    minScore: z.number().int().min(0).max(100).optional(),
    showSecrets: z.boolean().default(false),
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
      if (resolved.origin !== origin) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `${resolved.origin} is not the target's origin (${origin}); session-audit only sends credentials and cookies to the target`,
        });
      }
    }
    if (cfg.authCheck.method === 'HEAD' && (cfg.authCheck.expect.bodyIncludes !== undefined || cfg.authCheck.expect.bodyExcludes !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['authCheck', 'method'], message: 'a HEAD response has no body, so bodyIncludes/bodyExcludes can never match; use GET' });
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
  });

export type AuditConfigInput = z.input<typeof configSchema>;
export type AuditConfig = z.output<typeof configSchema>;
export type LoginConfig = AuditConfig['login'];
export type LogoutConfig = NonNullable<AuditConfig['logout']>;
export type AuthCheckConfig = AuditConfig['authCheck'];
export type Policy = AuditConfig['policy'];
