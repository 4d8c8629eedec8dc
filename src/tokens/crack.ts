/**
 * Offline secret search: does a token's signature verify with one of the candidate secrets? The
 * message is fixed per token, so for HMAC-SHA256 the padded message is prepared once and each
 * candidate costs only its compressions (see hmac-sha256.ts); other hashes use node:crypto.
 * Candidates are UTF-8 encoded once per list, not per token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignedPart } from './formats.js';
import { FixedMessageHmacSha256 } from './hmac-sha256.js';

export interface Candidate {
  text: string;
  bytes: Buffer;
}

export function toCandidates(texts: Iterable<string>): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const text of texts) {
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ text, bytes: Buffer.from(text, 'utf8') });
  }
  return out;
}

/** The signature the server would make over `message` (itsdangerous derives its key from secret + salt first). */
export function sign(part: Pick<SignedPart, 'hash' | 'deriveSalt'>, message: Buffer, secret: Buffer): Buffer {
  const key = part.deriveSalt === undefined ? secret : createHmac(part.hash, secret).update(part.deriveSalt).digest();
  return createHmac(part.hash, key).update(message).digest();
}

/** A reusable "does this secret verify?" test for one signed token. */
export function verifier(part: SignedPart): (secret: Buffer) => boolean {
  if (part.hash === 'sha256' && part.deriveSalt === undefined && part.signature.length === 32) {
    const h = new FixedMessageHmacSha256(part.message, part.signature);
    return (secret) => h.matches(secret);
  }
  return (secret) => {
    const mac = sign(part, part.message, secret);
    return mac.length === part.signature.length && timingSafeEqual(mac, part.signature);
  };
}

export interface CrackResult {
  found?: Candidate;
  tried: number;
  ms: number;
}

export function crack(part: SignedPart, candidates: readonly Candidate[]): CrackResult {
  const test = verifier(part);
  const t0 = performance.now();
  let tried = 0;
  for (const c of candidates) {
    tried += 1;
    if (test(c.bytes)) return { found: c, tried, ms: performance.now() - t0 };
  }
  return { tried, ms: performance.now() - t0 };
}
