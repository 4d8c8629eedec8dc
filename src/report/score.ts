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
 *   gate:    see gate.ts
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
