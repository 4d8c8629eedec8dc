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

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;

export function extractForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  let current: HtmlForm | undefined;
  const text = html.replace(/<!--[\s\S]*?-->/g, '').replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '');
  TAG.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TAG.exec(text)) !== null) {
    const closing = m[1] === '/';
    const tag = (m[2] as string).toLowerCase();
    if (tag === 'form') {
      if (closing) {
        if (current) forms.push(current);
        current = undefined;
      } else {
        if (current) forms.push(current);
        const a = parseAttributes(m[3] ?? '');
        current = { method: (a.method ?? 'GET').toUpperCase(), inputs: [], hasPassword: false };
        if (a.action !== undefined && a.action.trim() !== '') current.action = a.action.trim();
      }
      continue;
    }
    if (!current || closing) continue;
    if (tag === 'input' || tag === 'button' || tag === 'select' || tag === 'textarea') {
      const a = parseAttributes(m[3] ?? '');
      if (!a.name) continue;
      const type = (a.type ?? (tag === 'input' ? 'text' : tag)).toLowerCase();
      if (type === 'password') current.hasPassword = true;
      if (tag === 'button' || type === 'submit' || type === 'image' || type === 'reset' || type === 'file') continue;
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
  const re = /<meta\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
  const text = html.replace(/<!--[\s\S]*?-->/g, '');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const a = parseAttributes(m[1] ?? '');
    const name = (a.name ?? '').toLowerCase();
    if (/^(csrf[-_]?token|_csrf|xsrf[-_]?token|csrf)$/.test(name) && a.content) return { name, value: a.content };
  }
  return undefined;
}
