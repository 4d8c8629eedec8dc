import type { Report } from '../schema.js';

export interface FormatContext {
  /** chalk color level: 0 for none. */
  colorLevel: 0 | 1 | 2 | 3;
  verbose: boolean;
  /** Terminal width to wrap at (terminal format). */
  width?: number;
  /** SARIF: the repository file findings point at (see cli/sarif-location.ts). */
  sarif?: SarifLocation;
  /** markdown / html: the template text (--template); the built-in one otherwise. */
  template?: string;
}

export interface SarifLocation {
  /** Repository-relative path with forward slashes, resolved against %SRCROOT%. */
  uri: string;
  /** 1-based lines: the target declaration and the login / logout blocks. */
  lines: { target: number; login: number; logout: number };
}

export type Formatter = (report: Report, ctx: FormatContext) => string;
