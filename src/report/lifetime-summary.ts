/**
 * The session's advertised lifetime next to the measured one, as two phrases every report format
 * prints the same way (the numbers themselves are in Report.lifetime).
 */
import type { Report } from './schema.js';

export interface LifetimeSummary {
  advertised: string;
  measured: string;
}

export function lifetimeSummary(lifetime: Report['lifetime']): LifetimeSummary | undefined {
  if (!lifetime) return undefined;
  const advertised = lifetime.advertised.length > 0 ? lifetime.advertised.map((a) => a.text).join(', ') : 'none (a browser-session cookie)';
  const hint = lifetime.notes.some((n) => n.includes('--expiry-wait')) ? ' (give --expiry-wait to measure it)' : '';
  const measured = lifetime.measured.length > 0 ? lifetime.measured.map((m) => m.text).join('; ') : `not measured${hint}`;
  return { advertised, measured };
}
