import { describe, expect, it } from 'vitest';
import type { Severity } from '../../src/config/schema.js';
import { evaluateGate } from '../../src/report/gate.js';
import { computeGrade, computeScore, gradeFor, GRADES, PENALTY, worstFailures } from '../../src/report/score.js';
import type { CheckResult, CheckStatus } from '../../src/rules/types.js';
import { pick, prng } from '../fixtures/evidence.js';

function r(ruleId: string, status: CheckStatus, severity: Severity = 'medium'): CheckResult {
  return { ruleId, status, severity, message: `${ruleId} ${status}`, evidence: [], exchangeIds: [] };
}

const rank = (g: string): number => GRADES.indexOf(g as (typeof GRADES)[number]);

describe('computeScore', () => {
  it('uses the documented penalties', () => {
    expect(PENALTY).toEqual({ critical: 50, high: 30, medium: 15, low: 5 });
    expect(computeScore([r('a', 'fail', 'critical')])).toBe(50);
    expect(computeScore([r('a', 'fail', 'high')])).toBe(70);
    expect(computeScore([r('a', 'fail', 'medium')])).toBe(85);
    expect(computeScore([r('a', 'fail', 'low')])).toBe(95);
  });

  it('is 100 with no failures; skipped and errored checks cost nothing', () => {
    expect(computeScore([])).toBe(100);
    expect(computeScore([r('a', 'pass'), r('b', 'skipped', 'critical'), r('c', 'error', 'high')])).toBe(100);
  });

  it('counts only the worst failure of each rule, once', () => {
    const results = [r('cookie-samesite', 'fail', 'low'), r('cookie-samesite', 'fail', 'medium'), r('cookie-samesite', 'fail', 'medium'), r('cookie-secure', 'fail', 'high')];
    expect(worstFailures(results)).toEqual(new Map([['cookie-samesite', 'medium'], ['cookie-secure', 'high']]));
    expect(computeScore(results)).toBe(100 - 15 - 30);
  });

  it('sums across rules and never goes below 0', () => {
    expect(computeScore([r('a', 'fail', 'medium'), r('b', 'fail', 'low'), r('c', 'fail', 'low')])).toBe(75);
    expect(computeScore([r('a', 'fail', 'critical'), r('b', 'fail', 'critical'), r('c', 'fail', 'high')])).toBe(0);
  });
});

describe('computeGrade', () => {
  it('gives A+ only at 100 with every check run', () => {
    expect(computeGrade(100, [r('a', 'pass'), r('b', 'pass')])).toBe('A+');
    expect(computeGrade(100, [r('a', 'pass'), r('b', 'skipped')])).toBe('A');
    expect(computeGrade(100, [r('a', 'pass'), r('b', 'error')])).toBe('A');
    expect(computeGrade(95, [r('a', 'pass'), r('b', 'fail', 'low')])).toBe('A');
  });

  it.each([
    [90, 'A'], [89, 'A-'], [85, 'A-'], [84, 'B+'], [80, 'B+'], [70, 'B'], [65, 'B-'], [60, 'C+'],
    [50, 'C'], [45, 'C-'], [40, 'D+'], [30, 'D'], [25, 'D-'], [24, 'F'], [0, 'F'],
  ])('score %d without high/critical findings → %s', (score, grade) => {
    expect(computeGrade(score, [r('a', 'fail', 'medium')])).toBe(grade);
  });

  it('a high finding caps the grade at C', () => {
    const results = [r('cookie-secure', 'fail', 'high'), r('b', 'pass')];
    expect(computeScore(results)).toBe(70);
    expect(computeGrade(70, results)).toBe('C');
    // Already below C: the cap does not raise it.
    expect(computeGrade(30, results)).toBe('D');
  });

  it('a critical finding caps the grade at D', () => {
    expect(computeGrade(50, [r('a', 'fail', 'critical')])).toBe('D');
    expect(computeGrade(95, [r('a', 'fail', 'critical')])).toBe('D');
  });

  it('a high severity on a skipped or passed check does not cap', () => {
    expect(computeGrade(100, [r('a', 'skipped', 'high'), r('b', 'pass', 'critical')])).toBe('A');
  });

  it('is monotonic: adding one fail never raises the score or improves the grade', () => {
    const rand = prng(20250601);
    const ids = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'];
    const statuses: CheckStatus[] = ['pass', 'fail', 'skipped', 'error'];
    const severities: Severity[] = ['critical', 'high', 'medium', 'low'];
    let lowered = 0;
    for (let i = 0; i < 1000; i += 1) {
      const n = Math.floor(rand() * 8);
      const results: CheckResult[] = [];
      for (let j = 0; j < n; j += 1) results.push(r(pick(rand, ids), pick(rand, statuses), pick(rand, severities)));
      const extra = r(pick(rand, ids), 'fail', pick(rand, severities));
      const more = [...results, extra];
      const before = computeScore(results);
      const after = computeScore(more);
      expect(after, JSON.stringify(more)).toBeLessThanOrEqual(before);
      expect(rank(computeGrade(after, more)), JSON.stringify(more)).toBeGreaterThanOrEqual(rank(computeGrade(before, results)));
      // With a fail present the grade is never A+.
      expect(computeGrade(after, more)).not.toBe('A+');
      if (after < before) lowered += 1;
    }
    // The property is not vacuous: most additions do lower the score.
    expect(lowered).toBeGreaterThan(500);
  });
});

describe('evaluateGate', () => {
  it('passes with no findings', () => {
    expect(evaluateGate([r('a', 'pass')], 100, 'high', undefined)).toEqual({ passed: true, failOn: 'high', reasons: [] });
  });

  it('fails on a finding at the failOn threshold or above', () => {
    const results = [r('cookie-secure', 'fail', 'high'), r('session-fixation', 'fail', 'critical'), r('cookie-httponly', 'fail', 'medium')];
    const gate = evaluateGate(results, 5, 'high', undefined);
    expect(gate.passed).toBe(false);
    expect(gate.reasons).toEqual(['2 findings at or above high (--fail-on high): cookie-secure, session-fixation']);
  });

  it('passes when every finding is below the threshold', () => {
    const results = [r('cookie-httponly', 'fail', 'medium'), r('cookie-prefix', 'fail', 'low')];
    expect(evaluateGate(results, 80, 'high', undefined).passed).toBe(true);
    expect(evaluateGate(results, 80, 'medium', undefined).reasons).toEqual(['1 finding at or above medium (--fail-on medium): cookie-httponly']);
    expect(evaluateGate(results, 80, 'low', undefined).reasons).toEqual(['2 findings at or above low (--fail-on low): cookie-httponly, cookie-prefix']);
  });

  it('says why a grade is capped below what the score gives', () => {
    expect(gradeFor(70, [r('a', 'fail', 'high')])).toEqual({ grade: 'C', note: 'capped at C by a high finding' });
    expect(gradeFor(50, [r('a', 'fail', 'critical')])).toEqual({ grade: 'D', note: 'capped at D by a critical finding' });
    // A cap that does not lower the grade is not mentioned.
    expect(gradeFor(35, [r('a', 'fail', 'critical')])).toEqual({ grade: 'D' });
    expect(gradeFor(100, [r('a', 'pass', 'low'), r('b', 'skipped', 'low')])).toEqual({ grade: 'A', note: 'A, not A+: some checks did not run' });
    expect(gradeFor(85, [r('a', 'fail', 'medium')])).toEqual({ grade: 'A-' });
  });

  it('lets skipped checks through but fails closed on a check in error', () => {
    expect(evaluateGate([r('a', 'skipped', 'critical')], 100, 'low', undefined).passed).toBe(true);
    const gate = evaluateGate([r('a', 'skipped', 'critical'), r('b', 'error', 'critical')], 100, 'none', undefined);
    expect(gate.passed).toBe(false);
    expect(gate.reasons).toEqual(['1 check ended in error and could not be judged: b']);
  });

  it('"none" never fails on findings', () => {
    const results = [r('a', 'fail', 'critical'), r('b', 'fail', 'high')];
    expect(evaluateGate(results, 20, 'none', undefined)).toEqual({ passed: true, failOn: 'none', reasons: [], warnings: ['2 findings at warn level (not failing): a, b'] });
  });

  it('fails on a score below --min-score, also with "none"', () => {
    const results = [r('a', 'fail', 'medium')];
    const warnings = ['1 finding at warn level (not failing): a'];
    expect(evaluateGate(results, 85, 'none', 90)).toEqual({ passed: false, failOn: 'none', minScore: 90, reasons: ['score 85 is below --min-score 90'], warnings });
    expect(evaluateGate(results, 85, 'none', 85)).toEqual({ passed: true, failOn: 'none', minScore: 85, reasons: [], warnings });
  });

  it('lists both reasons when both apply', () => {
    const gate = evaluateGate([r('cookie-secure', 'fail', 'high')], 70, 'high', 80);
    expect(gate.reasons).toEqual(['1 finding at or above high (--fail-on high): cookie-secure', 'score 70 is below --min-score 80']);
  });
});
