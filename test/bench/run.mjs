// npm run bench: wall time and request count of a full audit of the demo target, and the
// cold-start time of `session-audit --version`. Medians over several runs; loopback only.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startDemo } from '../../dist/demo/app.js';
import { runAudit } from '../../dist/audit.js';
import { validateConfig, Secret } from '../../dist/config/load.js';

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
