/**
 * The gate: which findings fail the pipeline. ESLint / Lighthouse CI style assertions on top of
 * the severity threshold:
 *
 *   level of a failing check = assert[ruleId] when set, else
 *                              "error" when its severity is at or above failOn, else "warn";
 *   a check that ended in error is "error" unless assert says otherwise (a gate fails closed);
 *   a finding whose ignore entry has expired is "error" unless assert says otherwise (the date
 *   was a deadline: a warning nobody reads would not enforce it);
 *   an ignored finding (a matching, unexpired `ignore` entry) and a finding already in the
 *   --baseline (same fingerprint) do not count;
 *   the gate fails on any remaining "error"-level finding, a score below minScore, or a grade
 *   below minGrade. "warn"-level findings are listed as gate warnings and never fail it.
 *
 * The score and grade describe the deployment and are computed from every finding, ignored and
 * known ones included: --min-score and --min-grade judge the whole deployment.
 */
import type { Severity } from '../config/schema.js';
import { GRADES, SEVERITY_RANK, type Grade } from './score.js';

export type AssertLevel = 'off' | 'warn' | 'error';

export interface GateCheck {
  ruleId: string;
  status: 'pass' | 'fail' | 'skipped' | 'error';
  severity: Severity;
  /** The assertion level this check was judged at (fail and error checks only). */
  level?: AssertLevel;
  /** Where the level came from. */
  levelFrom?: 'assert' | 'failOn' | 'ignore-expired';
  /** Set when an ignore entry or the baseline takes the finding out of the gate. */
  suppressed?: { by: 'ignore'; reason: string; until?: string } | { by: 'baseline' };
  /** An ignore entry matched but its `until` date has passed. */
  ignoreExpired?: { reason: string; until: string };
}

export interface GatePolicy {
  failOn: Severity | 'none';
  minScore?: number | undefined;
  minGrade?: Grade | undefined;
  assert?: Readonly<Record<string, AssertLevel>>;
  preset?: string | undefined;
  /** Whether a baseline was given (then `known` is reported). */
  baseline?: boolean;
}

export interface GateOutcome {
  passed: boolean;
  failOn: Severity | 'none';
  minScore?: number;
  minGrade?: Grade;
  preset?: string;
  reasons: string[];
  /** warn-level findings and expired ignores: shown, never failing. */
  warnings?: string[];
  /** Findings taken out of the gate by an ignore entry. */
  ignored?: number;
  /** Findings already in the baseline. */
  known?: number;
}

/** The level a check is judged at, or undefined for a pass / skipped check. */
export function levelFor(check: Pick<GateCheck, 'ruleId' | 'status' | 'severity'>, policy: Pick<GatePolicy, 'failOn' | 'assert'>): { level: AssertLevel; from: 'assert' | 'failOn' } | undefined {
  if (check.status !== 'fail' && check.status !== 'error') return undefined;
  const asserted = policy.assert?.[check.ruleId];
  if (asserted) return { level: asserted, from: 'assert' };
  if (check.status === 'error') return { level: 'error', from: 'failOn' };
  const atOrAbove = policy.failOn !== 'none' && SEVERITY_RANK[check.severity] >= SEVERITY_RANK[policy.failOn];
  return { level: atOrAbove ? 'error' : 'warn', from: 'failOn' };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const ids = (checks: readonly GateCheck[]): string => [...new Set(checks.map((c) => c.ruleId))].join(', ');

export function decideGate(checks: readonly GateCheck[], score: number, grade: Grade, policy: GatePolicy): GateOutcome {
  const reasons: string[] = [];
  const warnings: string[] = [];
  const live = checks.filter((c) => (c.status === 'fail' || c.status === 'error') && !c.suppressed);
  const level = (c: GateCheck) => c.level ?? levelFor(c, policy)?.level;
  const from = (c: GateCheck) => c.levelFrom ?? levelFor(c, policy)?.from;

  const bySeverity = live.filter((c) => c.status === 'fail' && level(c) === 'error' && from(c) === 'failOn');
  if (bySeverity.length > 0) {
    reasons.push(`${plural(bySeverity.length, 'finding')} at or above ${policy.failOn} (--fail-on ${policy.failOn}): ${ids(bySeverity)}`);
  }
  const asserted = live.filter((c) => c.status === 'fail' && level(c) === 'error' && from(c) === 'assert');
  if (asserted.length > 0) reasons.push(`${plural(asserted.length, 'finding')} of rules asserted as "error": ${ids(asserted)}`);
  const expired = live.filter((c) => c.status === 'fail' && level(c) === 'error' && from(c) === 'ignore-expired');
  if (expired.length > 0) reasons.push(`${plural(expired.length, 'finding')} whose ignore entry expired: ${expired.map((c) => `${c.ruleId} (until ${c.ignoreExpired?.until ?? '?'})`).join(', ')}`);
  if (policy.minScore !== undefined && score < policy.minScore) reasons.push(`score ${score} is below --min-score ${policy.minScore}`);
  if (policy.minGrade !== undefined && GRADES.indexOf(grade) > GRADES.indexOf(policy.minGrade)) reasons.push(`grade ${grade} is below --min-grade ${policy.minGrade}`);
  // A security gate fails closed: a check that broke (a logout URL answering 404, a probe whose
  // request failed) must not let a pipeline pass unnoticed. Skipped checks do not fail it.
  const errored = live.filter((c) => c.status === 'error' && level(c) === 'error');
  if (errored.length > 0) reasons.push(`${plural(new Set(errored.map((c) => c.ruleId)).size, 'check')} ended in error and could not be judged: ${ids(errored)}`);

  const warned = live.filter((c) => level(c) === 'warn');
  if (warned.length > 0) warnings.push(`${plural(warned.length, 'finding')} at warn level (not failing): ${ids(warned)}`);
  for (const c of checks) {
    if (c.ignoreExpired) warnings.push(`the ignore entry for ${c.ruleId} ("${c.ignoreExpired.reason}") expired on ${c.ignoreExpired.until}: the finding counts again`);
  }

  const gate: GateOutcome = { passed: reasons.length === 0, failOn: policy.failOn, reasons };
  if (policy.minScore !== undefined) gate.minScore = policy.minScore;
  if (policy.minGrade !== undefined) gate.minGrade = policy.minGrade;
  if (policy.preset !== undefined) gate.preset = policy.preset;
  if (warnings.length > 0) gate.warnings = warnings;
  const ignored = checks.filter((c) => c.suppressed?.by === 'ignore').length;
  if (ignored > 0) gate.ignored = ignored;
  if (policy.baseline) gate.known = checks.filter((c) => c.suppressed?.by === 'baseline').length;
  return gate;
}

/** The plain severity gate (no assertions, ignores or baseline). */
export function evaluateGate(results: readonly GateCheck[], score: number, failOn: Severity | 'none', minScore: number | undefined): GateOutcome {
  return decideGate(results, score, 'A+', { failOn, minScore });
}
