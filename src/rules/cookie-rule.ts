/** Shared shape of the cookie-attribute rules: judge each session cookie's Set-Cookie line. */
import type { Policy } from '../config/schema.js';
import type { Evidence, SessionCookieEvidence, SessionEvidence } from '../evidence/types.js';
import type { ParsedSetCookie } from '../http/set-cookie.js';
import { result, type CheckResult, type CheckStatus, type Rule, type RuleMeta } from './types.js';

export interface CookieVerdict {
  status: CheckStatus;
  message: string;
  severity?: RuleMeta['severity'];
  evidence?: string[];
}

export type CookieJudge = (line: ParsedSetCookie, cookie: SessionCookieEvidence, session: SessionEvidence, policy: Policy) => CookieVerdict;

export function cookieRule(meta: RuleMeta, judge: CookieJudge): Rule {
  return {
    meta,
    check(evidence: Evidence, policy: Policy): CheckResult[] {
      const session = evidence.session;
      if (session.cookies.length === 0) return [result(meta, 'skipped', 'no session cookie was identified')];
      return session.cookies.map((cookie) => {
        if (!cookie.setCookie) {
          return result(meta, 'skipped', `no Set-Cookie line that set the current value of ${cookie.name} was seen, so its attributes are unknown`, { cookie: cookie.name });
        }
        // Every line that carried the current value is judged; the first failing one decides.
        const lines = [cookie.setCookie, ...(cookie.alsoSetBy ?? [])];
        const verdicts = lines.map((line) => ({ line, v: judge(line, cookie, session, policy) }));
        const { line, v } = verdicts.find((x) => x.v.status === 'fail') ?? (verdicts[0] as { line: ParsedSetCookie; v: CookieVerdict });
        const note = lines.length > 1 ? [`The server sent this token in ${lines.length} differently written Set-Cookie lines; each was judged.`] : [];
        return result(meta, v.status, v.message, {
          cookie: cookie.name,
          evidence: [`Set-Cookie: ${line.line}`, ...(v.evidence ?? []), ...note],
          exchangeIds: cookie.setCookieExchangeId !== undefined ? [cookie.setCookieExchangeId] : [],
          ...(v.severity ? { severity: v.severity } : {}),
        });
      });
    },
  };
}
