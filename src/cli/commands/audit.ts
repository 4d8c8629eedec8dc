/** `session-audit [audit] <url>`: load config + flags, then audit. */
import type { ExitCodeValue } from '../../errors.js';
import type { ConfigFlags } from '../../config/load.js';
import type { FormatName } from '../../report/formatters/index.js';

export interface AuditCommandOptions extends Omit<ConfigFlags, 'url'> {
  format?: FormatName;
  output?: string;
  color: boolean;
  verbose: boolean;
  har?: string;
}

export async function auditCommand(url: string | undefined, opts: AuditCommandOptions): Promise<ExitCodeValue> {
  const { loadConfig } = await import('../../config/load.js');
  const { auditAndReport, chooseFormat } = await import('../output.js');
  const { format: formatFlag, output, color, verbose, har, ...flags } = opts;
  const format = chooseFormat(formatFlag, output);
  if (url === 'demo' || url === 'rules') {
    const { UsageError } = await import('../../errors.js');
    throw new UsageError(`"${url}" was read as the URL to audit because an option came before it; options go after the command: session-audit ${url} [options].`);
  }
  const loaded = await loadConfig(url === undefined ? flags : { ...flags, url });
  return auditAndReport(loaded, { format, color, verbose, ...(output !== undefined ? { output } : {}), ...(har !== undefined ? { har } : {}) });
}
