/** Formatters are loaded lazily by name, so `--help` never pays for them. */
import type { Formatter } from './types.js';

export const FORMATS = ['terminal', 'json'] as const;
export type FormatName = (typeof FORMATS)[number];

export async function loadFormatter(name: FormatName): Promise<Formatter> {
  switch (name) {
    case 'terminal':
      return (await import('./terminal.js')).default;
    case 'json':
      return (await import('./json.js')).default;
  }
}
