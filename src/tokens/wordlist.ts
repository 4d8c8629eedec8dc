/**
 * --wordlist: extra candidate secrets, one per line. Lines are kept as raw bytes (a secret need not
 * be UTF-8), a trailing \r is dropped, empty lines are skipped. Read in chunks up to a cap, so a
 * FIFO (`<(generate)`) works and a device such as /dev/zero cannot hang the run.
 */
import { open } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { Candidate } from './crack.js';

/** Large enough for rockyou (134 MB); a bigger list belongs in a dedicated cracker such as hashcat. */
export const MAX_WORDLIST_BYTES = 256 * 1024 * 1024;

function readError(path: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : String(code ?? err);
  return new UsageError(`Cannot read --wordlist file ${path}: ${why}.`, 'E_WORDLIST_READ');
}

export async function readWordlist(path: string, maxBytes = MAX_WORDLIST_BYTES): Promise<Candidate[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw readError(path, err);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if ((await handle.stat()).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    for (;;) {
      const buf = Buffer.alloc(1 << 20);
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) {
        throw new UsageError(
          `--wordlist ${path} is larger than ${Math.round(maxBytes / 1048576)} MB, the most session-audit reads. For larger lists use a dedicated cracker on the token (hashcat -m 1450 for HMAC-SHA256).`,
          'E_WORDLIST_READ',
        );
      }
      chunks.push(buf.subarray(0, bytesRead));
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw readError(path, err);
  } finally {
    await handle.close();
  }
  let data = Buffer.concat(chunks);
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
  const seen = new Set<string>();
  const out: Candidate[] = [];
  let start = 0;
  while (start <= data.length) {
    let end = data.indexOf(0x0a, start);
    if (end === -1) end = data.length;
    let line = data.subarray(start, end);
    if (line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    start = end + 1;
    if (line.length === 0) continue;
    const key = line.toString('latin1');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ text: line.toString('utf8'), bytes: Buffer.from(line) });
  }
  return out;
}
