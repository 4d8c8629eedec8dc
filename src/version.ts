import { readFileSync } from 'node:fs';

/** The package version, read from package.json next to dist/ (works from source and from the build). */
export function toolVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Where the documentation lives: the README as the npm registry renders it. */
export const DOCS_URL = 'https://www.npmjs.com/package/session-audit';

/** A rule's documentation: the README's rule table. */
export function ruleDocsUrl(_ruleId: string): string {
  return `${DOCS_URL}#rules`;
}
