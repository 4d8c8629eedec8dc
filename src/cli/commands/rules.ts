/** `session-audit rules`: every rule id, default severity and title. */
import type { ExitCodeValue } from '../../errors.js';

export async function rulesCommand(opts: { format: 'terminal' | 'json' }): Promise<ExitCodeValue> {
  const { RULES } = await import('../../rules/index.js');
  if (opts.format === 'json') {
    const list = RULES.map((r) => ({ id: r.meta.id, name: r.meta.name, severity: r.meta.severity, title: r.meta.title, cwe: r.meta.cwe, asvs: r.meta.asvs, wstg: r.meta.wstg }));
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  const idWidth = Math.max(...RULES.map((r) => r.meta.id.length));
  const lines = RULES.map((r) => `${r.meta.id.padEnd(idWidth)}  ${r.meta.severity.padEnd(8)}  ${r.meta.title}`);
  process.stdout.write(`${'id'.padEnd(idWidth)}  ${'severity'.padEnd(8)}  title\n${lines.join('\n')}\n`);
  return 0;
}
