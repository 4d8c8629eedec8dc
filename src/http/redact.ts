/**
 * Token masking. Evidence never holds a raw session token unless the user asked for
 * --show-secrets: it holds a masked form for people (`s%3Aab12…`) and a keyed fingerprint for
 * comparisons ("did the ID change at login?"). The fingerprint key is random per run, so
 * fingerprints cannot be linked across runs or brute-forced from a saved report offline.
 */
import { createHmac, randomBytes } from 'node:crypto';

export interface ValueRef {
  /** For people: a short prefix and an ellipsis. */
  masked: string;
  /** For comparisons within one run: HMAC-SHA256 under a per-run key, 16 hex digits. */
  fp: string;
  length: number;
  /** Only with --show-secrets. */
  raw?: string;
}

/** `s%3Aab12cd…` — at most a quarter of the value, never more than 8 characters. */
export function mask(value: string): string {
  if (value.length === 0) return '(empty)';
  const shown = Math.min(8, Math.floor(value.length / 4));
  return `${value.slice(0, shown)}…`;
}

export class Redactor {
  readonly #key = randomBytes(32);
  readonly #secrets = new Set<string>();
  readonly showSecrets: boolean;

  constructor(showSecrets = false) {
    this.showSecrets = showSecrets;
  }

  fingerprint(value: string): string {
    return createHmac('sha256', this.#key).update(value).digest('hex').slice(0, 16);
  }

  /** Remember a value as secret, so `scrub` removes it from any later text. */
  remember(value: string): void {
    if (value.length >= 4) this.#secrets.add(value);
  }

  ref(value: string): ValueRef {
    this.remember(value);
    const ref: ValueRef = { masked: mask(value), fp: this.fingerprint(value), length: value.length };
    if (this.showSecrets) ref.raw = value;
    return ref;
  }

  /** Replace every remembered secret in a text (error messages, logs, body excerpts). */
  scrub(text: string): string {
    if (this.#secrets.size === 0) return text;
    let out = text;
    // Longest first, so a token that contains another is masked whole.
    const sorted = [...this.#secrets].sort((a, b) => b.length - a.length);
    for (const secret of sorted) {
      if (out.includes(secret)) out = out.split(secret).join(this.showSecrets ? secret : mask(secret));
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(this.showSecrets ? encoded : mask(encoded));
    }
    return out;
  }

  /** A password is never shown, even with --show-secrets. */
  rememberPassword(password: string): void {
    this.#passwords.add(password);
  }
  readonly #passwords = new Set<string>();

  scrubPasswords(text: string): string {
    let out = text;
    for (const p of this.#passwords) {
      if (p.length === 0) continue;
      out = out.split(p).join('[password]');
      const enc = encodeURIComponent(p);
      if (enc !== p) out = out.split(enc).join('[password]');
      const form = new URLSearchParams({ p }).toString().slice(2);
      if (form !== p && form !== enc) out = out.split(form).join('[password]');
      const json = JSON.stringify(p).slice(1, -1);
      if (json !== p) out = out.split(json).join('[password]');
    }
    return out;
  }

  /** Everything that leaves the process goes through here. */
  clean(text: string): string {
    return this.scrub(this.scrubPasswords(text));
  }
}
