/** `session-audit [audit] <url>`: load config + flags, then audit (or re-render saved evidence). */
import type { ExitCodeValue } from '../../errors.js';
import type { ConfigFlags } from '../../config/load.js';
import type { ReportFlags } from '../output.js';

export interface AuditCommandOptions extends Omit<ConfigFlags, 'url'>, ReportFlags {
  fromEvidence?: string;
}

export async function auditCommand(url: string | undefined, opts: AuditCommandOptions): Promise<ExitCodeValue> {
  const { loadConfig, loadGateConfig } = await import('../../config/load.js');
  const { auditAndReport, prepareOutputs, reportFromEvidence } = await import('../output.js');
  const { UsageError } = await import('../../errors.js');
  const { format, output, template, baseline, sarifLocation, saveEvidence, har, color, verbose, fromEvidence, ...flags } = opts;
  const reportFlags: ReportFlags = { format, output, template, baseline, sarifLocation, saveEvidence, har, color, verbose };
  if (url === 'demo' || url === 'rules') {
    throw new UsageError(`"${url}" was read as the URL to audit because an option came before it; options go after the command: session-audit ${url} [options].`);
  }
  if (fromEvidence !== undefined) {
    if (url !== undefined) throw new UsageError(`--from-evidence re-renders saved evidence without touching the network, so it takes no URL (got ${url}).`);
    if (saveEvidence !== undefined) throw new UsageError('--from-evidence and --save-evidence together would copy the evidence to itself; use one.');
    if (har !== undefined) throw new UsageError('--har records the HTTP exchanges of an audit, but --from-evidence sends no request; drop --har.');
    const { config, configPath } = await loadGateConfig(flags);
    const out = await prepareOutputs(reportFlags, { configPath });
    return reportFromEvidence(fromEvidence, config, out);
  }
  const loaded = await loadConfig(url === undefined ? flags : { ...flags, url });
  const out = await prepareOutputs(reportFlags, { configPath: loaded.configPath });
  return auditAndReport(loaded, out);
}
