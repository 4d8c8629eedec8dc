/**
 * Presets for `"extends"`: config fragments applied *under* the config file and the flags, so
 * anything set explicitly (failOn, an assert entry, --fail-on) overrides the preset.
 *
 *   session-audit:recommended  the defaults: a finding at or above high fails the gate, the rest
 *                              warn; a check in error fails it.
 *   session-audit:strict       every finding fails the gate (failOn low), and the grade must be
 *                              at least B (so a high finding, which caps the grade at C, fails
 *                              even when asserted as warn).
 */
import type { JsonValue } from './schema.js';

export const PRESETS: Record<string, { [key: string]: JsonValue }> = {
  'session-audit:recommended': { failOn: 'high' },
  'session-audit:strict': { failOn: 'low', minGrade: 'B' },
};
