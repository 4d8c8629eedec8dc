/**
 * The view the Markdown and HTML templates render: plain strings, numbers, booleans and lists
 * taken from the Report (nothing computed that the Report does not say). Documented in the
 * README for people who copy and adapt a template.
 */
import { formatDuration } from '../config/duration.js';
import { lifetimeSummary } from './lifetime-summary.js';
import type { Report, ReportCheck } from './schema.js';

const ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as const;

function gateNote(c: ReportCheck): string {
  if (c.suppressed?.by === 'ignore') return `ignored: ${c.suppressed.reason}${c.suppressed.until ? ` (until ${c.suppressed.until})` : ''}`;
  if (c.suppressed?.by === 'baseline') return 'known (in the baseline)';
  if (c.ignoreExpired) return `error: ignore expired ${c.ignoreExpired.until}`;
  return c.level ?? '';
}

export function reportView(report: Report) {
  const findings = report.checks
    .filter((c) => c.status === 'fail')
    .sort((a, b) => ORDER[a.severity] - ORDER[b.severity])
    .map((c) => ({
      ruleId: c.ruleId,
      title: c.title,
      severity: c.severity,
      cookie: c.cookie ?? '',
      message: c.message,
      evidence: c.evidence,
      why: c.why,
      fix: c.fix,
      snippet: c.snippet ?? '',
      references: [...c.references.cwe, ...c.references.asvs, ...c.references.wstg].join(', '),
      level: c.level ?? '',
      gate: gateNote(c),
      failsGate: c.level === 'error' && !c.suppressed,
      known: c.suppressed?.by === 'baseline',
      ignored: c.suppressed?.by === 'ignore',
      fingerprint: c.fingerprint,
    }));
  // Checks that do not apply to this target (no JWT for the JWT rules) are listed apart: not a gap.
  const notApplicable = report.checks.filter((c) => c.status === 'skipped' && c.notApplicable).map((c) => ({ ruleId: c.ruleId, title: c.title, message: c.message }));
  const notRun = report.checks.filter((c) => (c.status === 'skipped' && !c.notApplicable) || c.status === 'error').map((c) => ({ ruleId: c.ruleId, title: c.title, status: c.status, message: c.message, cookie: c.cookie ?? '' }));
  const passed = report.checks.filter((c) => c.status === 'pass').map((c) => ({ ruleId: c.ruleId, title: c.title, cookie: c.cookie ?? '', message: c.message }));
  return {
    tool: report.tool,
    target: report.target,
    score: report.score,
    grade: report.grade,
    gradeNote: report.gradeNote ?? '',
    startedAt: report.startedAt,
    duration: formatDuration(report.durationMs),
    requests: report.requests,
    gate: {
      passed: report.gate.passed,
      status: report.gate.passed ? 'passed' : 'failed',
      reasons: report.gate.reasons,
      warnings: report.gate.warnings ?? [],
      known: report.gate.known ?? 0,
      ignored: report.gate.ignored ?? 0,
    },
    summary: report.summary,
    findings,
    notRun,
    notApplicable,
    /** Checks that could not run (skipped for want of evidence, or in error); not-applicable ones apart. */
    notRunCount: notRun.length,
    notApplicableCount: notApplicable.length,
    passed,
    warnings: report.warnings,
    /** Why the run stopped early (Ctrl-C, a limit); empty when it finished. */
    incomplete: report.incomplete?.reason ?? '',
    /** Advertised (cookie Max-Age/Expires, JWT exp) and measured session lifetime, as phrases. */
    lifetime: lifetimeSummary(report.lifetime) ?? { advertised: '', measured: '' },
    session: { cookies: report.session.cookies.map((c) => c.name).join(', '), identifiedBy: report.session.identifiedBy },
  };
}

export type ReportView = ReturnType<typeof reportView>;
