/**
 * `passport-0.5` is passport@0.5.3 installed under an npm alias; it ships no
 * types. Its public surface is the same as @types/passport (written for
 * 0.6+) except that `req.logout()` is synchronous and takes no callback
 * (see LegacyLogout in test/apps/passport-legacy.ts).
 */
declare module 'passport-0.5' {
  import passport = require('passport');
  export = passport;
}
