/** Markdown for $GITHUB_STEP_SUMMARY and PR comments, from reports-templates/report.md. */
import { escapeMarkdown, renderTemplate } from '../template.js';
import { reportView } from '../view.js';
import { builtinTemplate } from './templated.js';
import type { Formatter } from './types.js';

const markdown: Formatter = (report, ctx) => renderTemplate(ctx.template ?? builtinTemplate('report.md'), reportView(report), escapeMarkdown);
export default markdown;
