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
    reasons: z.array(z.string()),
  }),
  summary: z.object({
    checks: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    skipped: z.number().int(),
    errors: z.number().int(),
    findingsBySeverity: z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() }),
  }),
  session: z.object({
    identifiedBy: z.enum(['behaviour', 'group', 'hint']),
    note: z.string().optional(),
    stack: z.string().optional(),
    cookies: z.array(z.object({ name: z.string(), value: valueRef, issued: z.string(), essential: z.boolean(), setCookie: z.string().optional() })),
  }),
  checks: z.array(checkSchema),
  warnings: z.array(z.string()),
  exchanges: z.array(exchangeSchema),
});

export type Report = z.infer<typeof reportSchema>;
export type ReportCheck = z.infer<typeof checkSchema>;
