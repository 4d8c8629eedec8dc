import type { Evidence, TokenCookieEvidence } from '../evidence/types.js';
import { cookieOf, describeObservation, sentence, tokenName, tokenPrecondition } from './token-shared.js';
import { result, type CheckResult, type Rule, type RuleMeta } from './types.js';

const meta: RuleMeta = {
  id: 'weak-secret',
  name: 'WeakSessionSigningSecret',
  title: 'Session token signed with a known weak or default secret',
  severity: 'critical',
  why: 'Whoever knows the signing secret can make the server accept cookies it never issued. When the cookie carries the session state itself (cookie-session, Flask, JWT) that means logging in as any user; with signed session IDs (express-session) it means signing any ID an attacker learns. Defaults such as "keyboard cat" are copied from documentation into production and are in every attacker\'s wordlist.',
  fix: 'Replace the secret with at least 32 random bytes from a CSPRNG (e.g. `openssl rand -base64 32`), load it from the environment or a secret manager, and never commit it. Rotating the secret logs every user out, which is what you want after it was public.',
  snippets: {
    'express-session': "app.use(session({\n  secret: process.env.SESSION_SECRET, // 32+ random bytes, e.g. openssl rand -base64 32\n  // ...\n}));",
    'cookie-session': "app.use(cookieSession({ keys: [process.env.COOKIE_KEY_1], /* 32+ random bytes each */ }));",
    flask: "app.secret_key = os.environ['SECRET_KEY']  # python -c 'import secrets; print(secrets.token_hex(32))'",
  },
  cwe: [321, 798, 1391],
  asvs: ['5.0: V9.1.1', '5.0: V13.3.1', '4.0.3: 2.10.4', '4.0.3: 6.4.1'],
  wstg: ['WSTG-SESS-01', 'WSTG-CRYP-04'],
  requires: ['session', 'tokens'],
};

function proofLines(c: TokenCookieEvidence): { lines: string[]; ids: number[]; verdict: string } {
  const proof = c.weakSecret?.proof;
  if (!proof) return { lines: [], ids: [], verdict: 'Run with --prove to forge a cookie with it and show the server accepting it.' };
  if (proof.status === 'skipped') return { lines: [`Proof not attempted: ${proof.reason}.`], ids: [], verdict: '' };
  if (proof.status === 'error') return { lines: [`The proof request failed: ${proof.error}`], ids: [], verdict: '' };
  const d = proof.data;
  const lines = [
    `Forged: ${d.forged}.`,
    `A fresh browser holding only the forged cookie: ${describeObservation(d.accepted)}.`,
    `Control, the same cookie signed with a random secret: ${describeObservation(d.control)}.`,
  ];
  const ids = [d.accepted.exchangeId, d.control.exchangeId];
  if (d.accepted.loggedIn && !d.control.loggedIn) return { lines, ids, verdict: 'Proven: the server accepted the forged cookie and refused the same cookie signed with a random secret.' };
  if (d.accepted.loggedIn && d.control.loggedIn) return { lines, ids, verdict: 'The server accepted the forged cookie but also the control signed with a random secret: it does not seem to verify signatures at all, which is as bad.' };
  return { lines, ids, verdict: 'The server refused the forged cookie (it may check more than the signature, e.g. a server-side record or a changed field); the signature itself verifies offline.' };
}

function check(ev: Evidence): CheckResult[] {
  const pre = tokenPrecondition(meta, ev);
  if ('early' in pre) return [pre.early];
  const signed = pre.cookies.filter((c) => c.weakSecret);
  if (signed.length === 0) {
    const formats = pre.cookies.map((c) => `${c.cookie}: ${c.description}`).join('; ');
    return [result(meta, 'skipped', `No session cookie is in a format signed with a shared secret that session-audit can test (express-session, cookie-session/keygrip, JWT HS256/384/512, Flask)${formats ? ` — ${formats}` : ''}.`, { notApplicable: true })];
  }
  return signed.map((c) => {
    const ws = c.weakSecret as NonNullable<TokenCookieEvidence['weakSecret']>;
    const tried = `${ws.tried.toLocaleString('en-US')} candidate${ws.tried === 1 ? '' : 's'} (${ws.builtIn.toLocaleString('en-US')} built-in${ws.wordlist > 0 ? `, ${ws.wordlist.toLocaleString('en-US')} from --wordlist` : ''}) in ${ws.ms} ms, offline`;
    const base = [`Format: ${c.description}.`, `Signature: ${ws.algorithm}.`];
    if (!ws.found) {
      return result(meta, 'pass', `The signature of ${tokenName(c)} verified with none of the ${ws.tried.toLocaleString('en-US')} known weak or default secrets tried.`, { ...cookieOf(c), evidence: [...base, `Tried ${tried}.`] });
    }
    // Critical when the cookie is the session (forge any user); high when it only signs a random server-side ID.
    const severity = c.clientSide ? 'critical' : 'high';
    const secret = ws.found.shown ? `"${ws.found.secret}"` : `${ws.found.secret} (from --wordlist, masked; --show-secrets shows it)`;
    const proof = proofLines(c);
    const impact = c.clientSide
      ? c.source === 'login-response'
        ? 'the token carries its claims itself, so anyone can forge one for any user'
        : 'the cookie carries the session state, so anyone can forge a session for any user'
      : 'the cookie signs a random server-side session ID, so an attacker can sign any session ID they learn, but cannot invent a logged-in session';
    return result(meta, 'fail', `${sentence(tokenName(c))} is signed with the ${ws.found.source === 'built-in' ? 'published default' : 'wordlist'} secret ${secret}: ${impact}. ${proof.verdict}`.trim(), {
      ...cookieOf(c),
      severity,
      evidence: [...base, `Secret found after ${tried}: ${secret}.`, ...proof.lines],
      exchangeIds: proof.ids,
    });
  });
}

export default { meta, check } satisfies Rule;
