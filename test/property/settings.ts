/** Shared fast-check settings: enough runs to find edge cases, bounded so the suite stays fast. */
import fc from 'fast-check';

export const NUM_RUNS = 300;

/**
 * Runs a property with the shared settings; a run that takes over 10 s total fails as a hang.
 * `numRuns` lowers the count for properties whose every run does real work (a secret search, a
 * deflate of megabytes), so the file still runs in seconds.
 */
export function check<T>(arb: fc.Arbitrary<T>, predicate: (value: T) => boolean | void, numRuns = NUM_RUNS): void {
  fc.assert(
    fc.property(arb, predicate),
    { numRuns, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: true },
  );
}

/** Strings that look like what a server or a user might send: printable, control, non-ASCII, and the separators parsers split on. */
export const hostileString = (maxLength = 200): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.array(fc.constantFrom(';', '=', ',', ' ', '"', '\\', '\t', '\r', '\n', '\u0000', 'é', '☃', 'Expires', 'Max-Age', 'Domain', 'Path', 'SameSite', 'Secure', 'HttpOnly', '__Host-', '%', '1', 'Z', ':'), { maxLength: 60 }).map((a) => a.join('')),
  );
