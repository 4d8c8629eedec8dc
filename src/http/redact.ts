/**
 * Token masking. Evidence never holds a raw session token unless the user asked for
 * --show-secrets: it holds a masked form for people (`s%3Aab12…`) and a keyed fingerprint for
 * comparisons ("did the ID change at login?"). The fingerprint key is random per run, so
 * fingerprints cannot be linked across runs or brute-forced from a saved report offline.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Cookie values shorter than this are not treated as tokens to scrub from free text. */
export const MIN_SECRET_LENGTH = 10;

/** The forms a password can take once it has travelled through a form, JSON or a URL. */
export function passwordVariants(p: string): string[] {
  const out = new Set<string>([p, encodeURIComponent(p), encodeURI(p), new URLSearchParams({ p }).toString().slice(2), JSON.stringify(p).slice(1, -1)]);
  try {
    const q = new URL(`http://h/?x=${p}`);
    out.add(q.search.slice(3) + q.hash);
    out.add(new URL(`http://h/${p.replace(/[?#]/g, encodeURIComponent)}`).pathname.slice(1));
  } catch {
    // not representable in a URL: nothing more to add
  }
  out.delete('');
  return [...out].sort((a, b) => b.length - a.length);
}

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

  /**
   * Remember a value as secret, so `scrub` removes it from any later text. Short values
   * ("true", "en-US") are not tokens, and scrubbing them would mangle ordinary text.
   */
  remember(value: string): void {
    if (value.length >= MIN_SECRET_LENGTH) this.#secrets.add(value);
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
    this.#passwordForms = [...new Set([...this.#passwordForms, ...passwordVariants(password)])].sort((a, b) => b.length - a.length);
  }
  #passwordForms: string[] = [];

  scrubPasswords(text: string): string {
    let out = text;
    for (const variant of this.#passwordForms) out = out.split(variant).join('[password]');
    return out;
  }

  /** Everything that leaves the process goes through here. */
  clean(text: string): string {
    return this.scrub(this.scrubPasswords(text));
  }
}
