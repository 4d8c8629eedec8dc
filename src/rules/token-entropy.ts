import type { EntropyEvidence, Evidence } from '../evidence/types.js';
import { fipsFailures, MIN_SAMPLES, type FipsResult } from '../tokens/entropy.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'token-entropy',
  name: 'LowSessionIdEntropy',
  title: 'Session ID has too little entropy',
  severity: 'medium',
  why: 'A session ID is the only thing standing between an attacker and a logged-in account: if IDs are short, sequential, time-based or drawn from a small random space, an attacker can guess live ones. ASVS 5.0 asks for at least 128 bits of entropy; below 64 bits (ASVS 4.0.3) guessing is practical.',
  fix: 'Generate session IDs with a CSPRNG, at least 16 random bytes (128 bits), e.g. crypto.randomBytes(32).toString("base64url"); never from counters, timestamps, Math.random or user data. Framework defaults (express-session, PHP, Django, Java EE) already do this: use them instead of a custom generator.',
  cwe: [331, 330, 6],
  asvs: ['5.0: V7.2.3', '4.0.3: 3.2.2'],
  wstg: ['WSTG-SESS-01'],
  requires: ['session', 'entropy'],
};

function fipsVerdict(first: FipsResult | undefined, second: FipsResult | undefined): 'pass' | 'fail' | 'unconfirmed' {
  if (!first || fipsFailures(first) === 0) return 'pass';
  if (fipsFailures(first) >= 2) return 'fail';
  if (!second) return 'unconfirmed';
  return fipsFailures(second) > 0 ? 'fail' : 'pass';
}

function judge(e: EntropyEvidence): CheckResult {
  const a = e.analysis;
  const from = e.source === 'anonymous' ? 'fresh anonymous browsers' : `fresh logins${e.loggedOut !== undefined ? ` (${e.loggedOut} logged out again)` : ''}`;
  const evidence = [
    `${e.collected} of ${e.requested} IDs collected from ${from}; measured: ${e.stripped}.`,
    `Length ${a.minLength === a.maxLength ? a.minLength : `${a.minLength}-${a.maxLength}`}, alphabet ${a.alphabet.name} (${a.alphabet.size} characters): at most ${a.boundBits} bits.`,
    `${a.constantPositions} position${a.constantPositions === 1 ? '' : 's'} never changed; per-position estimate ${a.estimatedBits} bits.`,
    a.fips
      ? `FIPS 140-2 over ${a.fips.bits} bits: monobit ${a.fips.monobit.pass ? 'pass' : 'FAIL'} (${a.fips.monobit.ones} ones), poker ${a.fips.poker.pass ? 'pass' : 'FAIL'} (X=${a.fips.poker.x}), runs ${a.fips.runs.pass ? 'pass' : 'FAIL'}, long run ${a.fips.longRun.pass ? 'pass' : 'FAIL'} (longest ${a.fips.longRun.longest}).`
      : `FIPS 140-2 tests not run: ${a.fipsSkipped ?? 'no sample'}.`,
    `Duplicates: ${a.duplicates}.`,
  ];
  const opts = { cookie: e.cookie, evidence, exchangeIds: e.exchangeIds.slice(0, 50) };
  if (e.collected < MIN_SAMPLES) {
    return result(meta, 'skipped', `Only ${e.collected} ${e.cookie} IDs could be collected (${MIN_SAMPLES} are needed to tell structure from chance), so the entropy cannot be estimated.`, opts);
  }
  if (a.duplicates > 0) {
    return result(
      meta,
      'fail',
      `${a.duplicates} of ${a.samples} freshly issued ${e.cookie} values repeated an earlier one: session IDs are not unique, so they are derived from something fixed (the account, a reset counter) or drawn from a tiny space.`,
      { ...opts, severity: 'high' },
    );
  }
  const bits = a.estimatedBits;
  const method = `estimated from ${a.samples} samples (length × alphabet, less positions that did not vary)`;
  if (bits < 64) {
    return result(meta, 'fail', `${e.cookie} IDs carry about ${bits} bits of entropy (${method}), below 64 bits: guessing live session IDs is practical.`, { ...opts, severity: 'high' });
  }
  if (bits < 128) {
    return result(meta, 'fail', `${e.cookie} IDs carry about ${bits} bits of entropy (${method}), below the 128 bits ASVS 5.0 requires.`, opts);
  }
  // Each FIPS 140-2 test also fails on a good generator now and then (roughly 1 run in 1,000 to
  // 10,000), so one
  // failed test counts only when a second window confirms it; two at once do not happen by chance.
  const verdict = fipsVerdict(a.fips, a.fipsConfirm);
  if (verdict === 'fail') {
    return result(meta, 'fail', `${e.cookie} IDs are long enough (${bits} bits ${method}) but their bits failed the FIPS 140-2 randomness tests: the generator is biased or structured.`, opts);
  }
  if (verdict === 'unconfirmed') {
    evidence.push('One FIPS 140-2 test failed on the only 20,000-bit window; good generators do that roughly once in 1,000 to 10,000 runs, so it is not counted. A sample twice as large would confirm or clear it.');
  }
  return result(
    meta,
    'pass',
    `${e.cookie} IDs carry up to ${bits} bits (${method})${a.fips && verdict === 'pass' ? ' and passed the FIPS 140-2 tests' : ''}; no structure showed in the sample. A sample can only rule weakness in, never prove randomness.`,
    opts,
  );
}

function check(ev: Evidence): CheckResult[] {
  const probe = ev.probes.entropy;
  if (!probe) return [result(meta, 'skipped', 'This evidence was gathered by a version of session-audit without entropy sampling; run the audit again.')];
  if (probe.status === 'skipped') {
    // Cookies that carry the state itself hold no ID to guess: nothing to measure, not a gap.
    const tokens = ev.probes.tokens;
    const cookies = tokens?.status === 'ok' ? tokens.data.cookies.filter((c) => c.source === undefined) : [];
    const noIds = cookies.length > 0 && cookies.every((c) => c.clientSide || c.encrypted);
    return [result(meta, 'skipped', `Not measured: ${probe.reason}.`, noIds ? { notApplicable: true } : {})];
  }
  if (probe.status === 'error') return [result(meta, 'error', `Sampling session IDs failed: ${probe.error}`)];
  return probe.data.map(judge);
}

export default { meta, check } satisfies Rule;
