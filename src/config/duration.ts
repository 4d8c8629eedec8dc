/**
 * Durations as written in config files and flags: `1500ms`, `45s`, `30m`, `24h`, `1d`, and
 * sums of them such as `1h30m`. A bare number is refused: seconds or milliseconds would be a guess.
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy;

export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

export function parseDuration(input: string): DurationResult {
  const text = input.trim().toLowerCase();
  if (text.length === 0) return { ok: false, message: 'expected a duration such as 30m, 24h, 1d, 45s or 1500ms' };
  if (text.length > 64) return { ok: false, message: 'duration is too long' };
  if (/^\d+(\.\d+)?$/.test(text)) {
    return { ok: false, message: `"${input}" has no unit: write ${text}s, ${text}m or ${text}ms` };
  }
  let total = 0;
  let pos = 0;
  PART.lastIndex = 0;
  for (;;) {
    while (text[pos] === ' ' || text[pos] === '\t') pos += 1;
    if (pos >= text.length) break;
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m || m.index !== pos) {
      return { ok: false, message: `"${input}" is not a duration: use 30m, 24h, 1d, 45s, 1500ms or sums like 1h30m` };
    }
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = PART.lastIndex;
  }
  if (!Number.isFinite(total) || total > 365 * UNIT_MS.d!) {
    return { ok: false, message: `"${input}" is longer than a year` };
  }
  return { ok: true, ms: Math.round(total) };
}

/** Shortest readable form: 90000 → "1m30s", 86400000 → "1d". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000 && ms % 1000 !== 0) return `${Math.round(ms) / 1000}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, secs] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= secs) {
      parts.push(`${Math.floor(rest / secs)}${unit}`);
      rest %= secs;
    }
  }
  return parts.join('');
}
