/** A single self-contained HTML page (no scripts, no external requests), from reports-templates/report.html. */
import { escapeHtml, renderTemplate } from '../template.js';
import { reportView } from '../view.js';
import { builtinTemplate } from './templated.js';
import type { Formatter } from './types.js';

const html: Formatter = (report, ctx) => renderTemplate(ctx.template ?? builtinTemplate('report.html'), reportView(report), escapeHtml);
export default html;
