/**
 * Score, grade and gate. Deterministic and monotonic: each failing rule costs the penalty of its
 * worst finding, so a new finding can only lower the score. Skipped and errored checks cost
 * nothing but are counted as coverage gaps, and keep the grade from A+.
 *
 *   score = max(0, 100 − Σ penalty(worst failed severity of each rule))
 *   penalty: critical 50, high 30, medium 15, low 5
 *   grade:   A+ 100 with every check run · A ≥ 90 · A- ≥ 85 · B+ ≥ 80 · B ≥ 70 · B- ≥ 65
 *            C+ ≥ 60 · C ≥ 50 · C- ≥ 45 · D+ ≥ 40 · D ≥ 30 · D- ≥ 25 · F below
 *   caps:    any critical finding → at best D; any high finding → at best C
 *   gate:    fails on a finding at or above failOn, a score below minScore, or a check in error
 */
import type { Severity } from '../config/schema.js';
import type { CheckResult } from '../rules/types.js';

export const PENALTY: Record<Severity, number> = { critical: 50, high: 30, medium: 15, low: 5 };
export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

export const GRADES = ['A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D+', 'D', 'D-', 'F'] as const;
export type Grade = (typeof GRADES)[number];

const THRESHOLDS: Array<[number, Grade]> = [
  [90, 'A'], [85, 'A-'], [80, 'B+'], [70, 'B'], [65, 'B-'], [60, 'C+'], [50, 'C'], [45, 'C-'], [40, 'D+'], [30, 'D'], [25, 'D-'],
];

/** Worst failed severity per rule id. */
export function worstFailures(results: readonly CheckResult[]): Map<string, Severity> {
  const worst = new Map<string, Severity>();
  for (const r of results) {
    if (r.status !== 'fail') continue;
    const prev = worst.get(r.ruleId);
    if (!prev || SEVERITY_RANK[r.severity] > SEVERITY_RANK[prev]) worst.set(r.ruleId, r.severity);
  }
  return worst;
}

export function computeScore(results: readonly CheckResult[]): number {
  let score = 100;
  for (const sev of worstFailures(results).values()) score -= PENALTY[sev];
  return Math.max(0, score);
}

export interface GradeResult {
  grade: Grade;
  /** Why the grade is lower than the score alone gives: a cap, or checks that did not run. */
  note?: string;
}

export function gradeFor(score: number, results: readonly CheckResult[]): GradeResult {
  const complete = results.length > 0 && results.every((r) => r.status === 'pass' || r.status === 'fail' || (r.status === 'skipped' && r.notApplicable === true));
  let grade: Grade = THRESHOLDS.find(([min]) => score >= min)?.[1] ?? 'F';
  let note: string | undefined;
  if (score >= 100) {
    if (complete) grade = 'A+';
    else note = 'A, not A+: some checks did not run';
  }
  const failed = results.filter((r) => r.status === 'fail');
  const critical = failed.some((r) => r.severity === 'critical');
  const cap: Grade | undefined = critical ? 'D' : failed.some((r) => r.severity === 'high') ? 'C' : undefined;
  if (cap && GRADES.indexOf(grade) < GRADES.indexOf(cap)) {
    grade = cap;
    note = `capped at ${cap} by a ${critical ? 'critical' : 'high'} finding`;
  }
  return note ? { grade, note } : { grade };
}

export function computeGrade(score: number, results: readonly CheckResult[]): Grade {
  return gradeFor(score, results).grade;
}

export interface GateResult {
  passed: boolean;
  failOn: Severity | 'none';
  minScore?: number;
  reasons: string[];
}

export function evaluateGate(results: readonly CheckResult[], score: number, failOn: Severity | 'none', minScore: number | undefined): GateResult {
  const reasons: string[] = [];
  if (failOn !== 'none') {
    const threshold = SEVERITY_RANK[failOn];
    const hits = results.filter((r) => r.status === 'fail' && SEVERITY_RANK[r.severity] >= threshold);
    if (hits.length > 0) {
      const ids = [...new Set(hits.map((h) => h.ruleId))];
      reasons.push(`${hits.length} finding${hits.length === 1 ? '' : 's'} at or above ${failOn} (--fail-on ${failOn}): ${ids.join(', ')}`);
    }
  }
  if (minScore !== undefined && score < minScore) reasons.push(`score ${score} is below --min-score ${minScore}`);
  // A security gate fails closed: a check that broke (a logout URL answering 404, a probe whose
  // request failed) must not let a pipeline pass unnoticed. Skipped checks (not configured, or
  // undecidable by design) do not fail it.
  const errored = [...new Set(results.filter((r) => r.status === 'error').map((r) => r.ruleId))];
  if (errored.length > 0) reasons.push(`${errored.length} check${errored.length === 1 ? '' : 's'} ended in error and could not be judged: ${errored.join(', ')}`);
  const gate: GateResult = { passed: reasons.length === 0, failOn, reasons };
  if (minScore !== undefined) gate.minScore = minScore;
  return gate;
}
