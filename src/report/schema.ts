/**
 * The JSON report, schemaVersion 1: the single source every output is a view of. This zod schema
 * documents it and is what the tests validate `--format json` against. Additive changes keep
 * schemaVersion 1; removing or renaming a field raises it.
 */
import { z } from 'zod';
import { GRADES } from './score.js';

const severity = z.enum(['critical', 'high', 'medium', 'low']);
const valueRef = z.object({ masked: z.string(), fp: z.string(), length: z.number(), raw: z.string().optional() });

export const setCookieSchema = z.object({
  line: z.string(),
  name: z.string(),
  value: valueRef,
  secure: z.boolean(),
  httpOnly: z.boolean(),
  sameSite: z.enum(['strict', 'lax', 'none', 'invalid']).optional(),
  sameSiteRaw: z.string().optional(),
  domain: z.string().optional(),
  domainRaw: z.string().optional(),
  path: z.string().optional(),
  maxAge: z.number().optional(),
  expires: z.string().optional(),
  expiresRaw: z.string().optional(),
  partitioned: z.boolean(),
  lifetimeSeconds: z.number().optional(),
  deletion: z.boolean(),
  problems: z.array(z.string()),
  refused: z.boolean().optional(),
});

export const checkSchema = z.object({
  ruleId: z.string().regex(/^[a-z]+(-[a-z]+)*$/),
  title: z.string(),
  status: z.enum(['pass', 'fail', 'skipped', 'error']),
  severity,
  cookie: z.string().optional(),
  message: z.string(),
  evidence: z.array(z.string()),
  exchangeIds: z.array(z.number().int()),
  notApplicable: z.boolean().optional(),
  why: z.string(),
  fix: z.string(),
  snippet: z.string().optional(),
  references: z.object({ cwe: z.array(z.string()), asvs: z.array(z.string()), wstg: z.array(z.string()) }),
  /** Identity across runs (rule id + target origin + path + cookie): what --baseline compares. */
  fingerprint: z.string(),
  /** The assertion level a failing or errored check was judged at, and where it came from. */
  level: z.enum(['off', 'warn', 'error']).optional(),
  levelFrom: z.enum(['assert', 'failOn', 'ignore-expired']).optional(),
  /** Taken out of the gate by an ignore entry or because the baseline already had it. */
  suppressed: z.union([z.object({ by: z.literal('ignore'), reason: z.string(), until: z.string().optional() }), z.object({ by: z.literal('baseline') })]).optional(),
  /** A matching ignore entry whose date has passed: the finding counts again. */
  ignoreExpired: z.object({ reason: z.string(), until: z.string() }).optional(),
});

export const exchangeSchema = z.object({
  id: z.number().int(),
  actor: z.enum(['victim', 'attacker', 'second-device', 'probe', 'replay']),
  purpose: z.string(),
  method: z.string(),
  url: z.string(),
  status: z.number().int().optional(),
  error: z.string().optional(),
  sentCookies: z.array(z.object({ name: z.string(), value: valueRef })),
  setCookies: z.array(setCookieSchema),
  unparsedSetCookies: z.array(z.string()).optional(),
  location: z.string().optional(),
  redirectNotFollowed: z.string().optional(),
  timeMs: z.number().optional(),
});

export const reportSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('session-audit'), version: z.string() }),
  target: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
  score: z.number().int().min(0).max(100),
  grade: z.enum(GRADES),
  /** Why the grade is lower than the score alone gives (a cap, or checks that did not run). */
  gradeNote: z.string().optional(),
  gate: z.object({
    passed: z.boolean(),
    failOn: z.enum(['critical', 'high', 'medium', 'low', 'none']),
    minScore: z.number().optional(),
    minGrade: z.enum(GRADES).optional(),
    preset: z.string().optional(),
    reasons: z.array(z.string()),
    /** warn-level findings and expired ignores: shown, never failing. */
    warnings: z.array(z.string()).optional(),
    ignored: z.number().int().optional(),
    /** With --baseline: findings already in it. */
    known: z.number().int().optional(),
  }),
  summary: z.object({
    checks: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    /** Includes the not-applicable checks (counted again in notApplicable). */
    skipped: z.number().int(),
    /** Skipped because the target does not use what the rule checks (no JWT for the JWT rules). */
    notApplicable: z.number().int(),
    errors: z.number().int(),
    findingsBySeverity: z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() }),
  }),
  session: z.object({
    identifiedBy: z.enum(['behaviour', 'group', 'hint']),
    note: z.string().optional(),
    stack: z.string().optional(),
    cookies: z.array(z.object({ name: z.string(), value: valueRef, issued: z.string(), essential: z.boolean(), setCookie: z.string().optional() })),
  }),
  /** The session's advertised lifetime (cookie Max-Age/Expires, JWT exp) next to what the probes measured. */
  lifetime: z
    .object({
      advertised: z.array(z.object({ cookie: z.string(), source: z.enum(['max-age', 'expires', 'jwt-exp']), seconds: z.number(), text: z.string() })),
      measured: z.array(
        z.object({
          probe: z.enum(['expiry-idle', 'expiry-busy', 'idle-timeout', 'absolute-timeout', 'restart']),
          /** Was the session still valid at `atMs` (ms after the probe's clock started)? */
          stillValid: z.boolean(),
          atMs: z.number(),
          text: z.string(),
        }),
      ),
      /** Why nothing or only part was measured (e.g. the wait budget). */
      notes: z.array(z.string()),
    })
    .optional(),
  checks: z.array(checkSchema),
  warnings: z.array(z.string()),
  /** Present when the run stopped early (Ctrl-C, SIGTERM, --deadline, --max-requests): why. The gate fails. */
  incomplete: z.object({ reason: z.string() }).optional(),
  exchanges: z.array(exchangeSchema),
});

export type Report = z.infer<typeof reportSchema>;
export type ReportCheck = z.infer<typeof checkSchema>;
