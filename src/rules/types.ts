/**
 * The rule contract (ESLint's, as Lighthouse audits use it): static meta plus a pure
 * `check(evidence, policy)`. A rule never does HTTP. Missing evidence ⇒ `skipped` with a reason.
 * Every outward-facing string about a finding lives in the meta, written once.
 */
import type { Policy, Severity } from '../config/schema.js';
import type { Evidence, SessionEvidence } from '../evidence/types.js';

export type CheckStatus = 'pass' | 'fail' | 'skipped' | 'error';
export type Stack = NonNullable<SessionEvidence['stack']>;

export interface RuleMeta {
  /** Stable kebab-case id; renaming one is a breaking change. */
  id: string;
  title: string;
  /** PascalCase name (SARIF's rule name). */
  name: string;
  severity: Severity;
  /** Why it matters, two sentences. */
  why: string;
  /** The fix, in words. */
  fix: string;
  /** Stack-specific fix snippets, shown when the session looks like that stack. */
  snippets?: Partial<Record<Stack, string>>;
  cwe: number[];
  asvs: string[];
  wstg: string[];
  /**
   * How often a failure is a true positive (SARIF `precision`). Default "high": every verdict is
   * proven by a replay or read from the Set-Cookie line itself.
   */
  precision?: 'very-high' | 'high' | 'medium' | 'low';
  /** Which evidence the rule reads. */
  requires: Array<'session' | 'fixation' | 'adoption' | 'logout' | 'expiry' | 'idleTimeout' | 'absoluteTimeout' | 'passwordChange' | 'persistence' | 'tokens' | 'entropy'>;
}

export interface CheckResult {
  ruleId: string;
  status: CheckStatus;
  severity: Severity;
  /** The session cookie this result is about, for cookie rules. */
  cookie?: string;
  /** One or two sentences: what was observed. For skipped/error: why. */
  message: string;
  /** Evidence lines for people (masked). */
  evidence: string[];
  /** Exchanges that prove it (ids into evidence.exchanges). */
  exchangeIds: number[];
  /**
   * Skipped because the target does not use what the rule checks (no JWT for the JWT rules): not
   * a gap in the audit, so it does not cost the A+ the way a check that could not run does.
   */
  notApplicable?: boolean;
}

export interface Rule {
  meta: RuleMeta;
  check(evidence: Evidence, policy: Policy): CheckResult[];
}

export function result(meta: RuleMeta, status: CheckStatus, message: string, extra: Partial<Omit<CheckResult, 'ruleId' | 'status' | 'message'>> = {}): CheckResult {
  return {
    ruleId: meta.id,
    status,
    severity: extra.severity ?? meta.severity,
    message,
    evidence: extra.evidence ?? [],
    exchangeIds: extra.exchangeIds ?? [],
    ...(extra.cookie !== undefined ? { cookie: extra.cookie } : {}),
    ...(extra.notApplicable ? { notApplicable: true } : {}),
  };
}
