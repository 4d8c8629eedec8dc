// npm run bench: wall time and request count of a full audit of the demo target, the cold-start
// time of `session-audit --version`, and the weak-secret search rate (candidates per second on
// one core) for each signed format. Medians over several runs; loopback only.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startDemo } from '../../dist/demo/app.js';
import { runAudit } from '../../dist/audit.js';
import { validateConfig, Secret } from '../../dist/config/load.js';
import { crack, toCandidates } from '../../dist/tokens/crack.js';
import { decodeSessionCookie } from '../../dist/tokens/formats.js';
import { createHmac } from 'node:crypto';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function auditOnce(fixed) {
  const password = randomBytes(12).toString('hex');
  const demo = await startDemo({ fixed, password });
  try {
    const config = validateConfig({
      target: demo.url,
      login: { url: '/login', type: 'form' },
      credentials: { username: 'alice' },
      authCheck: { url: '/me' },
      logout: { url: '/logout' },
      insecure: fixed,
    });
    const t0 = performance.now();
    const { report } = await runAudit({ config, password: new Secret(password) });
    return { ms: performance.now() - t0, requests: report.requests };
  } finally {
    await demo.close();
  }
}

for (const fixed of [false, true]) {
  await auditOnce(fixed); // warm-up
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) runs.push(await auditOnce(fixed));
  const name = fixed ? 'demo --fixed (https)' : 'demo (http)';
  console.log(`full audit, ${name}: median ${median(runs.map((r) => r.ms)).toFixed(1)} ms wall, ${median(runs.map((r) => r.requests))} requests (${RUNS} runs)`);
}

const bin = fileURLToPath(new URL('../../bin/session-audit.js', import.meta.url));
const starts = [];
for (let i = 0; i < RUNS; i += 1) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  starts.push(performance.now() - t0);
  if (r.status !== 0) throw new Error(`--version exited ${r.status}: ${r.stderr}`);
}
console.log(`cold start, session-audit --version: median ${median(starts).toFixed(1)} ms (${RUNS} runs)`);

// Weak-secret search: candidates per second against tokens whose secret is not in the list, so
// every candidate is tried. One core (the search is synchronous).
const words = toCandidates(Array.from({ length: 200_000 }, (_, i) => `candidate-secret-${i}`));
const unknown = randomBytes(32);
const b64url = (b) => b.toString('base64url');
const id = randomBytes(24).toString('base64url');
const header = b64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
const payload = b64url(Buffer.from(JSON.stringify({ sub: '42', iat: 1700000000, exp: 1700003600 })));
const cookieValue = Buffer.from(JSON.stringify({ user: 'alice' })).toString('base64');
const keygripSig = createHmac('sha1', unknown).update(`session=${cookieValue}`).digest('base64').replace(/\//g, '_').replace(/\+/g, '-').replace(/=/g, '');
const tokens = {
  'express-session (HMAC-SHA256)': decodeSessionCookie('connect.sid', encodeURIComponent(`s:${id}.${createHmac('sha256', unknown).update(id).digest('base64').replace(/=+$/, '')}`)),
  'JWT HS256 (HMAC-SHA256)': decodeSessionCookie('token', `${header}.${payload}.${b64url(createHmac('sha256', unknown).update(`${header}.${payload}`).digest())}`),
  'cookie-session (HMAC-SHA1)': decodeSessionCookie('session', cookieValue, new Map([['session.sig', keygripSig]])),
};
for (const [name, token] of Object.entries(tokens)) {
  if (!token.signed) throw new Error(`bench: ${name} was not decoded as a signed token`);
  crack(token.signed, words.slice(0, 20_000)); // warm-up
  const rates = [];
  for (let i = 0; i < 5; i += 1) {
    const r = crack(token.signed, words);
    if (r.found) throw new Error('bench: a random secret was found');
    rates.push(r.tried / (r.ms / 1000));
  }
  console.log(`weak-secret search, ${name}: median ${Math.round(median(rates)).toLocaleString('en-US')} candidates/s (${words.length.toLocaleString('en-US')} candidates, 5 runs, one core)`);
}

// For comparison: the same search through node:crypto's createHmac, one object per candidate.
{
  const message = Buffer.from(id);
  const rates = [];
  for (let i = 0; i < 5; i += 1) {
    const t0 = performance.now();
    for (const w of words) createHmac('sha256', w.bytes).update(message).digest();
    rates.push(words.length / ((performance.now() - t0) / 1000));
  }
  console.log(`  (baseline: node:crypto createHmac('sha256') per candidate: median ${Math.round(median(rates)).toLocaleString('en-US')} candidates/s)`);
}
