/** Evidence + rules → the Report object. */
import type { AuditConfig } from '../config/schema.js';
import type { Evidence } from '../evidence/types.js';
import { RULES } from '../rules/index.js';
import type { CheckResult, Rule } from '../rules/types.js';
import type { Report, ReportCheck } from './schema.js';
import { computeScore, evaluateGate, gradeFor } from './score.js';

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
  const gate = evaluateGate(results, score, opts.failOn, opts.minScore);
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
    summary: { checks: results.length, passed: count('pass'), failed: count('fail'), skipped: count('skipped'), errors: count('error'), findingsBySeverity: bySev },
    session,
    checks,
    warnings: evidence.warnings,
    ...(evidence.incomplete ? { incomplete: { reason: evidence.incomplete } } : {}),
    exchanges: evidence.exchanges,
  };
}
