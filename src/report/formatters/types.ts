import type { Report } from '../schema.js';

export interface FormatContext {
  /** chalk color level: 0 for none. */
  colorLevel: 0 | 1 | 2 | 3;
  verbose: boolean;
  /** Terminal width to wrap at (terminal format). */
  width?: number;
}

export type Formatter = (report: Report, ctx: FormatContext) => string;
