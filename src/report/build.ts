/** Evidence + rules → the Report object. */
import { createHash } from 'node:crypto';
import type { AuditConfig, IgnoreEntry } from '../config/schema.js';
import type { Evidence } from '../evidence/types.js';
import { RULES } from '../rules/index.js';
import type { CheckResult, Rule } from '../rules/types.js';
import type { Report, ReportCheck } from './schema.js';
import { decideGate, levelFor, type AssertLevel } from './gate.js';
import { computeScore, gradeFor, type Grade } from './score.js';
import { formatDuration } from '../config/duration.js';

type Lifetime = NonNullable<Report['lifetime']>;

const SOURCE_TEXT = { 'max-age': 'Max-Age', expires: 'Expires', 'jwt-exp': 'JWT exp' } as const;

/** Advertised lifetime (what the cookies promised) and measured lifetime (what the probes saw), side by side. */
export function lifetimeOf(ev: Evidence): Lifetime {
  const advertised: Lifetime['advertised'] = (
    ev.advertised ??
    ev.session.cookies.flatMap((c) =>
      c.setCookie?.lifetimeSeconds !== undefined ? [{ cookie: c.name, source: c.setCookie.maxAge !== undefined ? ('max-age' as const) : ('expires' as const), seconds: c.setCookie.lifetimeSeconds }] : [],
    )
  ).map((p) => ({ ...p, text: `${p.cookie}: ${formatDuration(p.seconds * 1000)} (${SOURCE_TEXT[p.source]})` }));
  const measured: Lifetime['measured'] = [];
  const notes: string[] = [];
  const verdict = (stillValid: boolean, atMs: number): string => (stillValid ? `still valid after ${formatDuration(atMs)}` : `ended by ${formatDuration(atMs)}`);
  const p = ev.probes;
  if (p.expiry?.status === 'ok') {
    const { idle, busy } = p.expiry.data;
    if (idle.status === 'ok') measured.push({ probe: 'expiry-idle', stillValid: idle.data.replay.loggedIn, atMs: idle.data.replay.atMs, text: `expiry probe, left idle: ${verdict(idle.data.replay.loggedIn, idle.data.replay.atMs)}` });
    else notes.push(`expiry, left idle: ${idle.status === 'skipped' ? idle.reason : idle.error}`);
    if (busy.status === 'ok') measured.push({ probe: 'expiry-busy', stillValid: busy.data.replay.loggedIn, atMs: busy.data.replay.atMs, text: `expiry probe, kept busy: ${verdict(busy.data.replay.loggedIn, busy.data.replay.atMs)}` });
    else notes.push(`expiry, kept busy: ${busy.status === 'skipped' ? busy.reason : busy.error}`);
  } else if (p.expiry) notes.push(`expiry: ${p.expiry.status === 'skipped' ? p.expiry.reason : p.expiry.error}`);
  if (p.idleTimeout?.status === 'ok') {
    const d = p.idleTimeout.data;
    measured.push({ probe: 'idle-timeout', stillValid: d.replay.loggedIn, atMs: d.replay.atMs, text: `idle-timeout probe, idle for ${formatDuration(d.idleMs)}: ${d.replay.loggedIn ? 'still valid' : 'ended'}` });
  } else if (p.idleTimeout) notes.push(`idle timeout: ${p.idleTimeout.status === 'skipped' ? p.idleTimeout.reason : p.idleTimeout.error}`);
  if (p.absoluteTimeout?.status === 'ok') {
    const d = p.absoluteTimeout.data;
    measured.push({ probe: 'absolute-timeout', stillValid: d.replay.loggedIn, atMs: d.replay.atMs, text: `absolute-timeout probe, kept busy: ${verdict(d.replay.loggedIn, d.replay.atMs)}` });
  } else if (p.absoluteTimeout) notes.push(`absolute timeout: ${p.absoluteTimeout.status === 'skipped' ? p.absoluteTimeout.reason : p.absoluteTimeout.error}`);
  if (p.persistence?.status === 'ok') {
    const d = p.persistence.data;
    measured.push({ probe: 'restart', stillValid: d.replay.loggedIn, atMs: d.restart.durationMs + d.ready.waitedMs, text: `server restart: ${d.replay.loggedIn ? 'survived' : 'lost'}` });
  }
  if (!p.expiry && !p.idleTimeout && !p.absoluteTimeout) notes.push('the evidence holds no lifetime probes');
  return { advertised, measured, notes };
}

export function runRules(evidence: Evidence, config: Pick<AuditConfig, 'policy'>, rules: readonly Rule[] = RULES): CheckResult[] {
  const out: CheckResult[] = [];
  for (const rule of rules) {
    try {
      out.push(...rule.check(evidence, config.policy));
    } catch (err) {
      out.push({ ruleId: rule.meta.id, status: 'error', severity: rule.meta.severity, message: `The rule itself failed: ${err instanceof Error ? err.message : String(err)}`, evidence: [], exchangeIds: [] });
    }
  }
  return out;
}

function toReportCheck(r: CheckResult, rule: Rule, stack: Evidence['session']['stack'], cookieName: string | undefined, target: string): ReportCheck {
  const m = rule.meta;
  const check: ReportCheck = {
    ...r,
    title: m.title,
    why: m.why,
    fix: m.fix,
    references: { cwe: m.cwe.map((n) => `CWE-${n}`), asvs: m.asvs.map((a) => `ASVS ${a}`), wstg: m.wstg },
    fingerprint: fingerprint(r.ruleId, target, r.cookie),
  };
  const snippet = stack ? m.snippets?.[stack] : undefined;
  if (snippet) check.snippet = snippet.replaceAll('{{cookie}}', r.cookie ?? cookieName ?? 'sid');
  return check;
}

export interface BuildOptions {
  version: string;
  durationMs: number;
  failOn: AuditConfig['failOn'];
  minScore: number | undefined;
  policy: AuditConfig['policy'];
  minGrade?: Grade | undefined;
  assert?: Readonly<Record<string, AssertLevel>>;
  ignore?: readonly IgnoreEntry[];
  /** The preset the config extends, shown in the gate. */
  preset?: string | undefined;
  /** Fingerprints of the findings in a previous report (--baseline). */
  baseline?: ReadonlySet<string>;
  /** The clock for ignore expiry. */
  now?: Date;
}

/**
 * A finding's identity across runs: rule id + target origin + target path + cookie name. Not the
 * message or the evidence, which change with token values and wording.
 */
export function fingerprint(ruleId: string, target: string, cookie: string | undefined): string {
  let origin = target;
  let path = '/';
  try {
    const u = new URL(target);
    origin = u.origin;
    path = u.pathname;
  } catch {
    // keep the raw target
  }
  return createHash('sha256').update(`${ruleId}\n${origin}\n${path}\n${cookie ?? ''}`).digest('hex').slice(0, 32);
}

function targetPath(target: string): string {
  try {
    return new URL(target).pathname;
  } catch {
    return '/';
  }
}

/** The ignore entry for a check, if any: an unexpired one wins over an expired one. */
function matchIgnore(check: ReportCheck, target: string, entries: readonly IgnoreEntry[], now: Date): { entry: IgnoreEntry; expired: boolean } | undefined {
  const path = targetPath(target);
  const matching = entries.filter((e) => e.rule === check.ruleId && (e.cookie === undefined || e.cookie === check.cookie) && (e.path === undefined || e.path === path));
  const expired = (e: IgnoreEntry) => e.until !== undefined && now.getTime() >= Date.parse(`${e.until}T00:00:00Z`) + 86_400_000;
  const valid = matching.find((e) => !expired(e));
  if (valid) return { entry: valid, expired: false };
  const old = matching[0];
  return old ? { entry: old, expired: true } : undefined;
}

export function buildReport(evidence: Evidence, opts: BuildOptions, rules: readonly Rule[] = RULES): Report {
  const results = runRules(evidence, opts, rules);
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const now = opts.now ?? new Date();
  const checks = results.map((r) => {
    const check = toReportCheck(r, byId.get(r.ruleId) as Rule, evidence.session.stack, evidence.session.cookies[0]?.name, evidence.target);
    const lv = levelFor(r, opts);
    if (!lv) return check;
    check.level = lv.level;
    check.levelFrom = lv.from;
    const ig = matchIgnore(check, evidence.target, opts.ignore ?? [], now);
    if (ig && !ig.expired) check.suppressed = { by: 'ignore', reason: ig.entry.reason, ...(ig.entry.until ? { until: ig.entry.until } : {}) };
    else if (ig?.expired && ig.entry.until) {
      check.ignoreExpired = { reason: ig.entry.reason, until: ig.entry.until };
      if (check.status === 'fail' && lv.from !== 'assert') {
        check.level = 'error';
        check.levelFrom = 'ignore-expired';
      }
      check.message = `${check.message} (It was ignored until ${ig.entry.until} — "${ig.entry.reason}" — and that ignore has expired, so it counts again.)`;
    }
    if (!check.suppressed && opts.baseline?.has(check.fingerprint)) check.suppressed = { by: 'baseline' };
    return check;
  });
  const score = computeScore(results);
  const count = (s: CheckResult['status']): number => results.filter((r) => r.status === s).length;
  const failed = results.filter((r) => r.status === 'fail');
  const bySev = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const f of failed) bySev[f.severity] += 1;
  const session: Report['session'] = {
    identifiedBy: evidence.session.identifiedBy,
    cookies: evidence.session.cookies.map((c) => {
      const out: Report['session']['cookies'][number] = { name: c.name, value: c.value, issued: c.issued, essential: c.essential };
      if (c.setCookie) out.setCookie = c.setCookie.line;
      return out;
    }),
  };
  if (evidence.session.note) session.note = evidence.session.note;
  if (evidence.session.stack) session.stack = evidence.session.stack;
  const { grade, note: gradeNote } = gradeFor(score, results);
  const gate = decideGate(checks, score, grade, { failOn: opts.failOn, minScore: opts.minScore, minGrade: opts.minGrade, preset: opts.preset, baseline: opts.baseline !== undefined });
  if (evidence.incomplete) {
    // Partial results are never a pass.
    gate.passed = false;
    gate.reasons.push(`the run is incomplete: ${evidence.incomplete}`);
  }
  return {
    schemaVersion: 1,
    ...(gradeNote ? { gradeNote } : {}),
    tool: { name: 'session-audit', version: opts.version },
    target: evidence.target,
    startedAt: evidence.startedAt,
    finishedAt: evidence.finishedAt,
    durationMs: Math.max(0, Math.round(opts.durationMs)),
    requests: evidence.requests,
    score,
    grade,
    gate,
    summary: { checks: results.length, passed: count('pass'), failed: count('fail'), skipped: count('skipped'), notApplicable: results.filter((r) => r.status === 'skipped' && r.notApplicable).length, errors: count('error'), findingsBySeverity: bySev },
    session,
    lifetime: lifetimeOf(evidence),
    checks,
    warnings: evidence.warnings,
    ...(evidence.incomplete ? { incomplete: { reason: evidence.incomplete } } : {}),
    exchanges: evidence.exchanges,
  };
}
