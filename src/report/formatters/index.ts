/** Formatters are loaded lazily by name, so `--help` never pays for them. */
import type { Formatter } from './types.js';

export const FORMATS = ['terminal', 'json', 'sarif', 'markdown', 'html', 'junit'] as const;
export type FormatName = (typeof FORMATS)[number];

export function isFormat(name: string): name is FormatName {
  return (FORMATS as readonly string[]).includes(name);
}

export async function loadFormatter(name: FormatName): Promise<Formatter> {
  switch (name) {
    case 'terminal':
      return (await import('./terminal.js')).default;
    case 'json':
      return (await import('./json.js')).default;
    case 'sarif':
      return (await import('./sarif.js')).default;
    case 'markdown':
      return (await import('./markdown.js')).default;
    case 'html':
      return (await import('./html.js')).default;
    case 'junit':
      return (await import('./junit.js')).default;
  }
}
