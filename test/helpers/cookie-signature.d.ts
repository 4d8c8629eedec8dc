/** cookie-signature ships no types; it comes with express-session, which signs cookies with it. */
declare module 'cookie-signature' {
  export function sign(value: string, secret: string): string;
  export function unsign(input: string, secret: string): string | false;
}
