/**
 * `session-audit demo [--fixed]`: start the embedded demo target on 127.0.0.1, audit it through
 * the same config path a user's audit takes, print the report, stop the server.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExitCodeValue } from '../../errors.js';
import type { ReportFlags } from '../output.js';

export interface DemoCommandOptions extends ReportFlags {
  fixed: boolean;
  failOn?: string;
  minScore?: string;
  minGrade?: string;
  expiryWait?: string;
  idleTimeout?: string;
  maxLifetime?: string;
  prove?: boolean;
  entropySamples?: string;
}

export async function demoCommand(opts: DemoCommandOptions): Promise<ExitCodeValue> {
  const { startDemo, DEMO_USER } = await import('../../demo/app.js');
  const { validateConfig, flagsToOverlay, deepMerge, Secret } = await import('../../config/load.js');
  const { auditAndReport, prepareOutputs } = await import('../output.js');
  const { parseDuration } = await import('../../config/duration.js');
  // Check the outputs before starting the server: a bad flag costs nothing.
  const out = await prepareOutputs(opts, {});
  const password = randomBytes(18).toString('base64url');
  const gate = flagsToOverlay({
    ...(opts.failOn ? { failOn: opts.failOn } : {}),
    ...(opts.minScore ? { minScore: opts.minScore } : {}),
    ...(opts.minGrade ? { minGrade: opts.minGrade } : {}),
    ...(opts.expiryWait ? { expiryWait: opts.expiryWait } : {}),
    ...(opts.idleTimeout ? { idleTimeout: opts.idleTimeout } : {}),
    ...(opts.maxLifetime ? { maxLifetime: opts.maxLifetime } : {}),
    ...(opts.prove ? { prove: true } : {}),
    ...(opts.entropySamples !== undefined ? { entropySamples: opts.entropySamples } : {}),
  });
  // The hardened demo enforces the policy it is audited against (the vulnerable one ignores it).
  const ms = (text: string | undefined): number | undefined => {
    const r = text === undefined ? undefined : parseDuration(text);
    return r?.ok ? r.ms : undefined;
  };
  const idleTimeoutMs = ms(opts.idleTimeout);
  const maxLifetimeMs = ms(opts.maxLifetime);
  const demo = await startDemo({
    fixed: opts.fixed,
    password,
    ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}),
    ...(maxLifetimeMs !== undefined ? { maxLifetimeMs } : {}),
  });
  const dir = await mkdtemp(join(tmpdir(), 'session-audit-demo-'));
  try {
    const base = {
      target: demo.url,
      login: { url: '/login', type: 'form' },
      credentials: { username: DEMO_USER },
      authCheck: { url: '/me', expect: { status: 200 } },
      logout: { url: '/logout', method: 'POST' },
    };
    let input = deepMerge(base, gate);
    if (demo.ca) {
      const caPath = join(dir, 'demo-ca.pem');
      await writeFile(caPath, demo.ca);
      input = deepMerge(input, { ca: caPath });
    }
    const config = validateConfig(input, new Set(['expiry.maxWait', 'policy.idleTimeout', 'policy.maxLifetime', 'failOn', 'minScore', 'minGrade', 'prove', 'entropySamples']), 'demo configuration');
    // env: {} so a proxy configured in the environment never sees the demo's loopback traffic.
    return await auditAndReport({ config, password: new Secret(password) }, { ...out, env: {} });
  } finally {
    await demo.close();
    await rm(dir, { recursive: true, force: true });
  }
}
