/** Evidence + rules → the Report object. */
import type { AuditConfig } from '../config/schema.js';
import type { Evidence } from '../evidence/types.js';
import { RULES } from '../rules/index.js';
import type { CheckResult, Rule } from '../rules/types.js';
import type { Report, ReportCheck } from './schema.js';
import { computeScore, evaluateGate, gradeFor } from './score.js';
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

function toReportCheck(r: CheckResult, rule: Rule, stack: Evidence['session']['stack'], cookieName: string | undefined): ReportCheck {
  const m = rule.meta;
  const check: ReportCheck = {
    ...r,
    title: m.title,
    why: m.why,
    fix: m.fix,
    references: { cwe: m.cwe.map((n) => `CWE-${n}`), asvs: m.asvs.map((a) => `ASVS ${a}`), wstg: m.wstg },
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
}

export function buildReport(evidence: Evidence, opts: BuildOptions, rules: readonly Rule[] = RULES): Report {
  const results = runRules(evidence, opts, rules);
  const byId = new Map(rules.map((r) => [r.meta.id, r]));
  const checks = results.map((r) => toReportCheck(r, byId.get(r.ruleId) as Rule, evidence.session.stack, evidence.session.cookies[0]?.name));
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
    gate: evaluateGate(results, score, opts.failOn, opts.minScore),
    summary: { checks: results.length, passed: count('pass'), failed: count('fail'), skipped: count('skipped'), errors: count('error'), findingsBySeverity: bySev },
    session,
    lifetime: lifetimeOf(evidence),
    checks,
    warnings: evidence.warnings,
    exchanges: evidence.exchanges,
  };
}
