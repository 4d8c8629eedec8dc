/** The rule registry, in report order. */
import cookieHttpOnly from './cookie-httponly.js';
import cookieLifetime from './cookie-lifetime.js';
import cookieNameFingerprint from './cookie-name-fingerprint.js';
import cookiePrefix from './cookie-prefix.js';
import cookieSameSite from './cookie-samesite.js';
import cookieScope from './cookie-scope.js';
import cookieSecure from './cookie-secure.js';
import logoutCookieClear from './logout-cookie-clear.js';
import logoutRevocation from './logout-revocation.js';
import sessionAdoption from './session-adoption.js';
import sessionFixation from './session-fixation.js';
import expiryEnforcement from './expiry-enforcement.js';
import idleTimeout from './idle-timeout.js';
import absoluteTimeout from './absolute-timeout.js';
import passwordChangeRevocation from './password-change-revocation.js';
import sessionPersistence from './session-persistence.js';
import clientSideSession from './client-side-session.js';
import jwtAlgNone from './jwt-alg-none.js';
import jwtExpiry from './jwt-expiry.js';
import tokenEntropy from './token-entropy.js';
import weakSecret from './weak-secret.js';
import type { Rule } from './types.js';

export const RULES: readonly Rule[] = [
  sessionFixation,
  sessionAdoption,
  logoutRevocation,
  logoutCookieClear,
  passwordChangeRevocation,
  expiryEnforcement,
  idleTimeout,
  absoluteTimeout,
  sessionPersistence,
  cookieSecure,
  cookieHttpOnly,
  cookieSameSite,
  cookieLifetime,
  cookieScope,
  cookiePrefix,
  cookieNameFingerprint,
  weakSecret,
  jwtAlgNone,
  jwtExpiry,
  clientSideSession,
  tokenEntropy,
];

export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.meta.id === id);
}
