/**
 * Personal and privilege data readable in a client-side session (field names and kinds only; the
 * values never leave this function). Keys are matched by name, and any string value shaped like
 * an e-mail address counts whatever its key.
 */
const KINDS: Array<[RegExp, string]> = [
  [/^(pass(word|wd)?|pwd|password_?hash|passwd_?hash|hash(ed)?_?pass(word)?|pw_?hash|user_?pass(word)?)$/i, 'password or password hash'],
  [/e-?mail/i, 'e-mail address'],
  [/^(roles?|is_?admin|admin|is_?staff|is_?superuser|superuser|permissions?|privileges?|scopes?|groups?|access_?level|user_?type)$/i, 'role or privilege'],
  [/phone|mobile|msisdn/i, 'phone number'],
  [/^(ssn|social_?security|tax_?id|national_?id|passport(_?no|_?number)?|iban|card_?number|cc_?num(ber)?|credit_?card)$/i, 'identity or payment number'],
  [/^(address|street|postcode|postal_?code|zip|zip_?code|birth_?date|date_?of_?birth|dob|birthday)$/i, 'address or date of birth'],
  [/^(first_?name|last_?name|full_?name|given_?name|family_?name|surname|display_?name)$/i, 'personal name'],
];

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[A-Za-z]{2,}$/;

export function findPersonalData(state: unknown): Array<{ field: string; kind: string }> {
  const out: Array<{ field: string; kind: string }> = [];
  const seen = new Set<string>();
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > 5 || out.length >= 30) return;
    if (Array.isArray(v)) {
      v.slice(0, 50).forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    for (const [k, val] of Object.entries(v).slice(0, 200)) {
      const field = path ? `${path}.${k}` : k;
      const byName = KINDS.find(([re]) => re.test(k));
      const kind = byName?.[1] ?? (typeof val === 'string' && EMAIL.test(val) ? 'e-mail address' : undefined);
      // A flag such as emailVerified or a null phone reveals nothing; a role flag (is_admin) does.
      const revealing = kind === 'role or privilege' ? val !== null && val !== '' : typeof val === 'string' ? val !== '' : typeof val === 'number';
      if (kind && revealing && !seen.has(field)) {
        seen.add(field);
        out.push({ field: field.slice(0, 80), kind });
      }
      walk(val, field, depth + 1);
    }
  };
  walk(state, '', 0);
  return out;
}
