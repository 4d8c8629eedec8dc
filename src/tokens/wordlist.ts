/** --wordlist: extra candidate secrets, one per line (a trailing \r is dropped; empty lines skipped). */
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { toCandidates, type Candidate } from './crack.js';

/** Large enough for rockyou (134 MB); a bigger list belongs in a dedicated cracker such as hashcat. */
const MAX_BYTES = 256 * 1024 * 1024;

export async function readWordlist(path: string): Promise<Candidate[]> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    if (info.size > MAX_BYTES) {
      throw new UsageError(`--wordlist ${path} is ${Math.round(info.size / 1048576)} MB; session-audit reads lists up to ${MAX_BYTES / 1048576} MB. For larger lists use a dedicated cracker (hashcat -m 1450 for HMAC-SHA256) on the token.`, 'E_WORDLIST_READ');
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(code ?? err);
    throw new UsageError(`Cannot read --wordlist file ${path}: ${why}.`, 'E_WORDLIST_READ');
  }
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)).filter((l) => l !== '');
  return toCandidates(lines);
}
