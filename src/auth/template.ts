/** `{{username}}` / `{{password}}` substitution in config bodies (strings at any depth). */
import type { JsonValue } from '../config/schema.js';

export type TemplateVars = Record<string, string>;

export function fillTemplate(value: JsonValue, vars: TemplateVars): JsonValue {
  if (typeof value === 'string') return value.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, key: string) => vars[key] ?? whole);
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplate(v, vars)]));
  }
  return value;
}

/** For form bodies: every value as a string (objects and arrays are not form values). */
export function toFormFields(body: Record<string, JsonValue>, vars: TemplateVars): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const filled = fillTemplate(v, vars);
    out[k] = typeof filled === 'string' ? filled : filled === null ? '' : typeof filled === 'object' ? JSON.stringify(filled) : String(filled);
  }
  return out;
}
