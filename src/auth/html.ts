/**
 * Just enough HTML reading to drive a login form: forms with their inputs, and the
 * `<meta name="csrf-token">` tag used by Rails, Laravel and many SPAs. Tolerant of broken markup;
 * never throws.
 */
export interface FormInput {
  name: string;
  value: string;
  type: string;
}

export interface HtmlForm {
  action?: string;
  method: string;
  inputs: FormInput[];
  hasPassword: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** Attributes of one start tag's inner text (after the tag name). */
export function parseAttributes(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const re = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const name = (m[1] as string).toLowerCase();
    if (name in attrs) continue; // first occurrence wins, as in browsers
    attrs[name] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

export interface RawTag {
  closing: boolean;
  /** Lower-cased tag name. */
  name: string;
  /** The text between the tag name and the closing `>`. */
  attrs: string;
}

/**
 * Start and end tags of a document, in order, in one linear pass: comments and the contents of
 * script/style are skipped, quotes are honoured, and an unterminated tag or comment ends the scan
 * (so hostile input such as a megabyte of "<" costs linear time, never quadratic).
 */
export function scanTags(html: string): RawTag[] {
  const tags: RawTag[] = [];
  const n = html.length;
  let lower: string | undefined;
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      if (end === -1) break;
      i = end + 3;
      continue;
    }
    let j = lt + 1;
    const closing = html[j] === '/';
    if (closing) j += 1;
    if (!/[A-Za-z]/.test(html[j] ?? '')) {
      i = lt + 1;
      continue;
    }
    let k = j + 1;
    while (k < n && /[A-Za-z0-9-]/.test(html[k] as string)) k += 1;
    let quote = '';
    let e = k;
    for (; e < n; e += 1) {
      const ch = html[e];
      if (quote) {
        if (ch === quote) quote = '';
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '>') break;
    }
    if (e >= n) break;
    const name = html.slice(j, k).toLowerCase();
    tags.push({ closing, name, attrs: html.slice(k, e) });
    i = e + 1;
    if (!closing && (name === 'script' || name === 'style')) {
      lower ??= html.toLowerCase();
      const close = lower.indexOf(`</${name}`, i);
      if (close === -1) break;
      i = close;
    }
  }
  return tags;
}

export function extractForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  let current: HtmlForm | undefined;
  for (const t of scanTags(html)) {
    if (t.name === 'form') {
      if (current) forms.push(current);
      current = undefined;
      if (!t.closing) {
        const a = parseAttributes(t.attrs);
        current = { method: (a.method ?? 'GET').toUpperCase(), inputs: [], hasPassword: false };
        if (a.action !== undefined && a.action.trim() !== '') current.action = a.action.trim();
      }
      continue;
    }
    if (!current || t.closing) continue;
    if (t.name === 'input' || t.name === 'button' || t.name === 'select' || t.name === 'textarea') {
      const a = parseAttributes(t.attrs);
      if (!a.name) continue;
      const type = (a.type ?? (t.name === 'input' ? 'text' : t.name)).toLowerCase();
      if (type === 'password') current.hasPassword = true;
      if (t.name === 'button' || type === 'submit' || type === 'image' || type === 'reset' || type === 'file') continue;
      if ('disabled' in a) continue; // browsers do not submit disabled controls
      if ((type === 'checkbox' || type === 'radio') && !('checked' in a)) continue;
      current.inputs.push({ name: a.name, value: a.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : ''), type });
    }
  }
  if (current) forms.push(current);
  return forms;
}

/** `<meta name="csrf-token" content="...">` (also csrf_token, _csrf, xsrf-token). */
export function extractCsrfMeta(html: string): { name: string; value: string } | undefined {
  for (const t of scanTags(html)) {
    if (t.closing || t.name !== 'meta') continue;
    const a = parseAttributes(t.attrs);
    const name = (a.name ?? '').toLowerCase();
    if (/^(csrf[-_]?token|_csrf|xsrf[-_]?token|csrf)$/.test(name) && a.content) return { name, value: a.content };
  }
  return undefined;
}
