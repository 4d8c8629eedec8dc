/**
 * Where SARIF results point. GitHub code scanning accepts a result only at a file in the
 * repository (a `https://` URI rejects the whole upload), so a dynamic finding is attached to the
 * file that caused the audit: the config file, at the line declaring the target or the login /
 * logout block the finding concerns. `--sarif-location <path>` overrides it (line 1). With neither,
 * there is no honest file to name, and we stop with a usage error before the audit.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';
import type { SarifLocation } from '../report/formatters/types.js';

/** The repository root: the nearest directory upwards holding .git; else the working directory. */
export function repoRoot(cwd: string): string {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(resolve(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(cwd);
    dir = up;
  }
}

function repoRelative(path: string, cwd: string, flag: string): string {
  const root = repoRoot(cwd);
  const abs = resolve(cwd, path);
  const rel = relative(root, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new UsageError(`${flag} ${path} is not inside the repository (${root}); code scanning only accepts results at a file in the repository. Give --sarif-location <repo-relative file>.`, 'E_SARIF_LOCATION');
  }
  return rel.split(sep).join('/');
}

/** 1-based line of the first `"key":` in a JSON text, or 1. */
function lineOf(text: string, key: string): number {
  const m = new RegExp(`"${key}"\\s*:`).exec(text);
  return m ? text.slice(0, m.index).split('\n').length : 1;
}

export function resolveSarifLocation(opts: { override?: string | undefined; configPath?: string | undefined; cwd?: string }): SarifLocation {
  const cwd = opts.cwd ?? process.cwd();
  if (opts.override !== undefined) {
    const abs = resolve(cwd, opts.override);
    if (!existsSync(abs) || !statSync(abs).isFile()) {
      throw new UsageError(`--sarif-location ${opts.override}: no such file. It must name a file that exists in the repository (GitHub drops results at files it cannot find).`, 'E_SARIF_LOCATION');
    }
    return { uri: repoRelative(opts.override, cwd, '--sarif-location'), lines: { target: 1, login: 1, logout: 1 } };
  }
  if (opts.configPath !== undefined) {
    const text = readFileSync(resolve(cwd, opts.configPath), 'utf8');
    const target = lineOf(text, 'target');
    return {
      uri: repoRelative(opts.configPath, cwd, '--config'),
      lines: { target, login: lineOf(text, 'login') || target, logout: existsIn(text, 'logout') ? lineOf(text, 'logout') : target },
    };
  }
  throw new UsageError(
    'SARIF needs a file in your repository to attach findings to, and this audit used no config file. Use --config <file> (findings point at its "target", "login" and "logout" lines) or --sarif-location <repo-relative file> (for example the workflow file that runs the audit).',
    'E_SARIF_LOCATION',
  );
}

function existsIn(text: string, key: string): boolean {
  return new RegExp(`"${key}"\\s*:`).test(text);
}
