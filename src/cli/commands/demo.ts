/**
 * `session-audit demo [--fixed]`: start the embedded demo target on 127.0.0.1, audit it through
 * the same config path a user's audit takes, print the report, stop the server.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExitCodeValue } from '../../errors.js';
import type { FormatName } from '../../report/formatters/index.js';

export interface DemoCommandOptions {
  fixed: boolean;
  format?: FormatName;
  output?: string;
  color: boolean;
  verbose: boolean;
  failOn?: string;
  minScore?: string;
  prove?: boolean;
  entropySamples?: string;
}

export async function demoCommand(opts: DemoCommandOptions): Promise<ExitCodeValue> {
  const { startDemo, DEMO_USER } = await import('../../demo/app.js');
  const { validateConfig, flagsToOverlay, deepMerge, Secret } = await import('../../config/load.js');
  const { auditAndReport, chooseFormat } = await import('../output.js');
  const password = randomBytes(18).toString('base64url');
  const demo = await startDemo({ fixed: opts.fixed, password });
  const dir = await mkdtemp(join(tmpdir(), 'session-audit-demo-'));
  try {
    const base = {
      target: demo.url,
      login: { url: '/login', type: 'form' },
      credentials: { username: DEMO_USER },
      authCheck: { url: '/me', expect: { status: 200 } },
      logout: { url: '/logout', method: 'POST' },
    };
    const gate = flagsToOverlay({
      ...(opts.failOn ? { failOn: opts.failOn } : {}),
      ...(opts.minScore ? { minScore: opts.minScore } : {}),
      ...(opts.prove ? { prove: true } : {}),
      ...(opts.entropySamples !== undefined ? { entropySamples: opts.entropySamples } : {}),
    });
    let input = deepMerge(base, gate);
    if (demo.ca) {
      const caPath = join(dir, 'demo-ca.pem');
      await writeFile(caPath, demo.ca);
      input = deepMerge(input, { ca: caPath });
    }
    const config = validateConfig(input, new Set(), 'demo configuration');
    const out = { format: chooseFormat(opts.format, opts.output), color: opts.color, verbose: opts.verbose };
    return await auditAndReport({ config, password: new Secret(password) }, opts.output ? { ...out, output: opts.output } : out);
  } finally {
    await demo.close();
    await rm(dir, { recursive: true, force: true });
  }
}
