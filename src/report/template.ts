/**
 * A tiny template engine for the Markdown and HTML reports (reports-templates/). Our own rather
 * than Handlebars or Mustache because each output needs its own escaping (HTML entities; Markdown
 * table-safe text with mentions and links neutralised), every value is escaped with no way to
 * opt out, and lookups only read a value's own properties (no prototype walking), so a user's
 * template can never run code or reach outside the view. ~100 lines.
 *
 *   {{path.to.value}}                       escaped value ("." is the current item)
 *   {{#each list}} … {{else}} … {{/each}}   loop; inside, names resolve on the item first
 *   {{#if value}} … {{else}} … {{/if}}      truthy: non-empty string/array, true, non-zero
 *   {{#unless value}} … {{/unless}}
 *   {{! comment }}
 * A block tag alone on its line leaves no blank line behind.
 */

export class TemplateError extends Error {
  override name = 'TemplateError';
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; path: string; line: number }
  | { kind: 'block'; type: 'each' | 'if' | 'unless'; path: string; body: Node[]; otherwise: Node[]; line: number };

/**
 * The tags of a template, in order: {{ … }} with no "}" inside. Scanned by hand in linear time: the
 * regexes this replaces backtracked (a stray "{{" followed by a few hundred spaces took seconds, a
 * long run of "{{" with no "}}" minutes). When the first "}" after a "{{" does not start "}}", no
 * tag can begin before it, so the scan resumes there.
 */
function* tags(text: string): Generator<{ index: number; end: number; inner: string }> {
  let from = 0;
  for (;;) {
    const open = text.indexOf('{{', from);
    if (open === -1) return;
    const close = text.indexOf('}', open + 2);
    if (close === -1) return;
    if (text.charAt(close + 1) === '}') {
      yield { index: open, end: close + 2, inner: text.slice(open + 2, close) };
      from = close + 2;
    } else from = close + 1;
  }
}

const PATH = /^(\.|@index|[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*)$/;

export function parseTemplate(source: string): Node[] {
  // Standalone block tags (alone on a line) take their line with them.
  // ([^}\n]: a tag that is not closed on its line is not standalone, and the scan stays linear.)
  const text = source.replace(/^[ \t]*(\{\{\s*(?:[#/!][^}\n]*|else\s*)\}\})[ \t]*\r?\n/gm, '$1');
  const root: Node[] = [];
  const stack: Array<{ node: Extract<Node, { kind: 'block' }>; inElse: boolean }> = [];
  const target = (): Node[] => {
    const top = stack[stack.length - 1];
    return top ? (top.inElse ? top.node.otherwise : top.node.body) : root;
  };
  // Counted forward from the previous tag: re-counting from the start made many tags quadratic.
  let lines = 1;
  let nextNewline = text.indexOf('\n');
  const lineAt = (i: number) => {
    while (nextNewline !== -1 && nextNewline < i) {
      lines++;
      nextNewline = text.indexOf('\n', nextNewline + 1);
    }
    return lines;
  };
  let last = 0;
  for (const m of tags(text)) {
    const at = m.index;
    if (at > last) target().push({ kind: 'text', text: text.slice(last, at) });
    last = m.end;
    const body = m.inner.trim();
    const sigil = /^[#/!]/.test(body) ? body.charAt(0) : '';
    const inner = (sigil ? body.slice(1) : body).trim();
    const line = lineAt(at);
    if (sigil === '!') continue;
    if (sigil === '#') {
      const [type, path = ''] = inner.split(/\s+/, 2);
      if (type !== 'each' && type !== 'if' && type !== 'unless') throw new TemplateError(`line ${line}: unknown block {{#${type}}} (use each, if or unless)`);
      if (!PATH.test(path)) throw new TemplateError(`line ${line}: {{#${type}}} needs a value name, got "${path}"`);
      const node: Extract<Node, { kind: 'block' }> = { kind: 'block', type, path, body: [], otherwise: [], line };
      target().push(node);
      stack.push({ node, inElse: false });
    } else if (sigil === '/') {
      const top = stack.pop();
      if (!top) throw new TemplateError(`line ${line}: {{/${inner}}} closes nothing`);
      if (top.node.type !== inner) throw new TemplateError(`line ${line}: {{/${inner}}} closes {{#${top.node.type}}} from line ${top.node.line}`);
    } else if (inner === 'else') {
      const top = stack[stack.length - 1];
      if (!top || top.inElse) throw new TemplateError(`line ${line}: {{else}} outside a block`);
      top.inElse = true;
    } else {
      if (!PATH.test(inner)) throw new TemplateError(`line ${line}: "{{${inner}}}" is not a value name (letters, digits, _ and dots)`);
      target().push({ kind: 'value', path: inner, line });
    }
  }
  if (last < text.length) target().push({ kind: 'text', text: text.slice(last) });
  const open = stack.pop();
  if (open) throw new TemplateError(`line ${open.node.line}: {{#${open.node.type} ${open.node.path}}} is never closed`);
  return root;
}

type Scope = { value: unknown; index?: number };

function own(obj: unknown, key: string): { found: boolean; value?: unknown } {
  if (obj !== null && typeof obj === 'object' && Object.hasOwn(obj, key)) return { found: true, value: (obj as Record<string, unknown>)[key] };
  return { found: false };
}

function lookup(path: string, scopes: readonly Scope[]): unknown {
  const top = scopes[scopes.length - 1];
  if (path === '.') return top?.value;
  if (path === '@index') return top?.index;
  const [head = '', ...rest] = path.split('.');
  for (let i = scopes.length - 1; i >= 0; i--) {
    const hit = own(scopes[i]?.value, head);
    if (!hit.found) continue;
    let value = hit.value;
    for (const key of rest) value = own(value, key).value;
    return value;
  }
  return undefined;
}

function truthy(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : Boolean(v);
}

function show(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return ''; // objects and arrays have no text form
}

/** Nested {{#each}} multiply: five levels over the 21 checks already visit 4 million pieces. */
export const MAX_RENDER_STEPS = 10_000_000;

function renderNodes(nodes: readonly Node[], scopes: Scope[], escape: (s: string) => string, out: string[], steps = { done: 0 }): void {
  // Each call and each node is a step: an empty innermost {{#each}} still iterates.
  steps.done += nodes.length + 1;
  if (steps.done > MAX_RENDER_STEPS) {
    throw new TemplateError(`the template takes more than ${MAX_RENDER_STEPS.toLocaleString('en-US')} steps to render (nested {{#each}} blocks multiply), so it would not finish`);
  }
  for (const n of nodes) {
    if (n.kind === 'text') out.push(n.text);
    else if (n.kind === 'value') out.push(escape(show(lookup(n.path, scopes))));
    else {
      const v = lookup(n.path, scopes);
      if (n.type === 'each') {
        const items = Array.isArray(v) ? v : [];
        if (items.length === 0) renderNodes(n.otherwise, scopes, escape, out, steps);
        items.forEach((item, index) => renderNodes(n.body, [...scopes, { value: item, index }], escape, out, steps));
      } else {
        const yes = n.type === 'if' ? truthy(v) : !truthy(v);
        renderNodes(yes ? n.body : n.otherwise, scopes, escape, out, steps);
      }
    }
  }
}

export function renderTemplate(source: string, view: object, escape: (s: string) => string): string {
  const out: string[] = [];
  renderNodes(parseTemplate(source), [{ value: view }], escape, out);
  return out.join('');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/`/g, '&#96;');
}

/**
 * Text that stays text in GitHub / GitLab Markdown, including table cells: HTML is entity-escaped,
 * Markdown punctuation is backslash-escaped, @mentions and #refs cannot ping, line breaks become
 * spaces (a newline would end a table row).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+!|~])/g, '\\$1')
    .replace(/@/g, '&#64;')
    .replace(/:/g, '&#58;') // no autolinks (https://…, javascript:)
    .replace(/\r?\n|\r/g, ' ');
}
