/** Shared by the Markdown and HTML formatters: the built-in template, or the user's (--template). */
import { readFileSync } from 'node:fs';

export function builtinTemplate(file: 'report.md' | 'report.html'): string {
  // src/report/formatters and dist/report/formatters both sit three levels under the package root.
  return readFileSync(new URL(`../../../reports-templates/${file}`, import.meta.url), 'utf8');
}
