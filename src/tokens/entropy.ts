/**
 * Entropy estimate of session IDs from a sample, the way Burp Sequencer reasons: an upper bound
 * from the alphabet and the length, lowered by positions that carry little or nothing across the
 * samples (a counter's or a timestamp's leading digits never change), plus the FIPS 140-2
 * monobit, poker, runs and long-run tests over the bit stream when the sample holds 20,000 bits,
 * and a duplicate check. No sample can prove randomness: a pass means no structure showed.
 */

export interface FipsResult {
  bits: number;
  monobit: { ones: number; pass: boolean };
  poker: { x: number; pass: boolean };
  runs: { pass: boolean };
  longRun: { longest: number; pass: boolean };
}

export interface EntropyAnalysis {
  samples: number;
  duplicates: number;
  minLength: number;
  maxLength: number;
  /** The smallest common alphabet holding every character seen. */
  alphabet: { name: string; size: number };
  /** length × log2(alphabet): the most this ID format can hold. */
  boundBits: number;
  /** Positions whose character never changed across the samples. */
  constantPositions: number;
  /** The estimate: per position, log2 of the alphabet, or less when the position varied less than random characters would. */
  estimatedBits: number;
  /** The bit stream tests, when the alphabet maps to whole bits and the sample holds 20,000 bits. */
  fips?: FipsResult;
  /** The tests again on the next 20,000 bits, when the first window failed one and the sample holds them. */
  fipsConfirm?: FipsResult;
  /** Why the FIPS tests did not run. */
  fipsSkipped?: string;
}

const ALPHABETS: Array<{ name: string; chars: string }> = [
  { name: 'decimal digits', chars: '0123456789' },
  { name: 'hex (lower case)', chars: '0123456789abcdef' },
  { name: 'hex (upper case)', chars: '0123456789ABCDEF' },
  { name: 'base32hex [0-9a-v] (PHP)', chars: '0123456789abcdefghijklmnopqrstuv' },
  { name: '[a-z0-9]', chars: '0123456789abcdefghijklmnopqrstuvwxyz' },
  { name: '[A-Z0-9]', chars: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ' },
  { name: '[A-Za-z0-9]', chars: '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz' },
  { name: 'base64url', chars: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_' },
  { name: 'base64', chars: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/' },
];

/** Fewer samples than this cannot tell a varying position from a random one. */
export const MIN_SAMPLES = 10;
const FIPS_BITS = 20_000;

function pickAlphabet(seen: Set<string>): { name: string; chars: string } {
  const fit = ALPHABETS.find((a) => [...seen].every((c) => a.chars.includes(c)));
  if (fit) return fit;
  const chars = [...seen].sort().join('');
  return { name: `${chars.length} distinct characters`, chars };
}

/** Distinct values n uniform draws from `size` symbols are expected to show. */
function expectedDistinct(size: number, n: number): number {
  return size * (1 - (1 - 1 / size) ** n);
}

/** How many of the four tests failed. */
export function fipsFailures(f: FipsResult): number {
  return [f.monobit.pass, f.poker.pass, f.runs.pass, f.longRun.pass].filter((p) => !p).length;
}

export function fips140(bits: Uint8Array): FipsResult {
  const b = bits.subarray(0, FIPS_BITS);
  let ones = 0;
  for (const x of b) ones += x;
  const counts = new Array<number>(16).fill(0);
  for (let i = 0; i + 4 <= b.length; i += 4) {
    const nibble = ((b[i] as number) << 3) | ((b[i + 1] as number) << 2) | ((b[i + 2] as number) << 1) | (b[i + 3] as number);
    counts[nibble] = (counts[nibble] as number) + 1;
  }
  const x = (16 / 5000) * counts.reduce((s, c) => s + c * c, 0) - 5000;
  // Runs of each length 1..6+ for zeros and ones, FIPS 140-2 (change notice 1) intervals.
  const limits: Array<[number, number]> = [[2315, 2685], [1114, 1386], [527, 723], [240, 384], [103, 209], [103, 209]];
  const runs = [new Array<number>(6).fill(0), new Array<number>(6).fill(0)];
  let longest = 0;
  let len = 0;
  for (let i = 0; i < b.length; i += 1) {
    len += 1;
    if (i + 1 === b.length || b[i + 1] !== b[i]) {
      const r = runs[b[i] as number] as number[];
      const slot = Math.min(len, 6) - 1;
      r[slot] = (r[slot] as number) + 1;
      longest = Math.max(longest, len);
      len = 0;
    }
  }
  const runsPass = runs.every((r) => r.every((c, i) => c >= (limits[i] as [number, number])[0] && c <= (limits[i] as [number, number])[1]));
  return {
    bits: b.length,
    monobit: { ones, pass: ones > 9725 && ones < 10275 },
    poker: { x: Math.round(x * 100) / 100, pass: x > 2.16 && x < 46.17 },
    runs: { pass: runsPass },
    longRun: { longest, pass: longest < 26 },
  };
}

export function analyseIds(ids: readonly string[]): EntropyAnalysis {
  const n = ids.length;
  // An empty sample has length 0: Math.min() of nothing is Infinity, and the position loop below would never end.
  const minLength = n === 0 ? 0 : ids.reduce((m, s) => Math.min(m, s.length), Infinity);
  const maxLength = ids.reduce((m, s) => Math.max(m, s.length), 0);
  // The alphabet is read from the positions that vary: a constant separator or prefix (a UUID's
  // dashes, a "node0" or ".jvmRoute" suffix) carries no entropy, and counting its characters would
  // pick a wider alphabet than the random part uses (hex read as base64url: 6 bits per hex digit).
  const distinctAt: number[] = [];
  for (let p = 0; p < minLength; p += 1) distinctAt.push(new Set(ids.map((s) => s[p])).size);
  const seen = new Set<string>();
  for (const id of ids) for (let p = 0; p < minLength; p += 1) if ((distinctAt[p] as number) > 1) seen.add(id[p] as string);
  if (seen.size === 0) for (const id of ids) for (const c of id) seen.add(c);
  const alphabet = pickAlphabet(seen);
  const size = Math.max(alphabet.chars.length, 1);
  const perChar = Math.log2(size);
  const expect = expectedDistinct(size, n);
  let estimated = 0;
  let constant = 0;
  // Positions that look random; only they feed the bit-stream tests. A structured position is
  // already marked down in the estimate, and its few symbols (a timestamp's digits in a base64url
  // ID, a UUID's variant nibble) would fail the bit tests for the whole ID however random the rest.
  const random: number[] = [];
  for (let p = 0; p < minLength; p += 1) {
    const distinct = distinctAt[p] as number;
    if (distinct === 1) {
      constant += 1;
      continue;
    }
    // A random position shows about `expect` distinct characters; one showing at most a third of
    // that is structured (a counter's tens digit shows two) and holds about log2(distinct) bits.
    // The margin is wide on purpose: random positions fall that low with odds below 1e-8 at 20
    // samples, so a good generator is never marked down by chance.
    if (distinct > expect * 0.35) {
      estimated += perChar;
      random.push(p);
    } else {
      estimated += Math.min(perChar, Math.log2(distinct));
    }
  }
  const analysis: EntropyAnalysis = {
    samples: n,
    duplicates: n - new Set(ids).size,
    minLength,
    maxLength,
    alphabet: { name: alphabet.name, size },
    boundBits: Math.round(minLength * perChar * 10) / 10,
    constantPositions: constant,
    estimatedBits: Math.round(estimated * 10) / 10,
  };
  if (!Number.isInteger(perChar) || perChar === 0) {
    analysis.fipsSkipped = `the alphabet (${size} characters) does not map to whole bits`;
  } else {
    const total = n * random.length * perChar;
    if (total < FIPS_BITS) {
      analysis.fipsSkipped = `the sample holds ${total} bits; the FIPS 140-2 tests need ${FIPS_BITS} (about ${Math.ceil(FIPS_BITS / Math.max(1, random.length * perChar))} IDs of this format)`;
    } else {
      const bits = new Uint8Array(total);
      let k = 0;
      for (const id of ids) {
        for (const p of random) {
          const v = alphabet.chars.indexOf(id[p] as string);
          for (let j = perChar - 1; j >= 0; j -= 1) bits[k++] = (v >> j) & 1;
        }
      }
      analysis.fips = fips140(bits);
      if (fipsFailures(analysis.fips) > 0 && bits.length >= 2 * FIPS_BITS) analysis.fipsConfirm = fips140(bits.subarray(FIPS_BITS));
    }
  }
  return analysis;
}
