/**
 * The built-in list of weak and default signing secrets: values published in framework READMEs,
 * official docs and tutorials (express-session's `keyboard cat`, jwt.io's `your-256-bit-secret`,
 * jsonwebtoken's `shhhhh`, Flask's `dev`, the Flask Mega-Tutorial's `you-will-never-guess`,
 * koa's `some secret hurr`, iron-session's `complex_password_at_least_32_characters_long`,
 * Strapi's `tobemodified` …), placeholders (`changeme`, `replace-me`), and common weak words and
 * passwords, each expanded with the edits people make to them (case, a year, `123`, `!`).
 * Every entry is public; a match names a default, never a user's own secret.
 * Built on first use (a few milliseconds), so a run that needs no cracking never pays for it.
 */
import { toCandidates, type Candidate } from './crack.js';

/** Published defaults and documentation examples, verbatim. */
const PUBLISHED = [
  'keyboard cat', 'keyboard-cat', 'keyboardcat', 'Keyboard Cat', 'secret', 'changeme', 'your-256-bit-secret', 'your-384-bit-secret', 'your-512-bit-secret',
  'shhhhh', 'shhhhhhared-secret', 'shhh', 'shhhh', 'ssshhhhh', 'sssshhhh', 'shhhhhhh', 'secretKey', 'secret-key', 'secret_key', 'SECRET_KEY', 'SecretKey',
  'mysecret', 'mySecret', 'my-secret', 'my_secret', 'mysecretkey', 'mySecretKey', 'my-secret-key', 'my_secret_key', 'my secret', 'my secret key',
  'supersecret', 'super-secret', 'super_secret', 'super secret', 'superSecret', 'super secret key', 'super-secret-key', 'supersecretkey', 'SuperSecretKey',
  'topsecret', 'top-secret', 'top_secret', 'TopSecret', 'your-secret-key', 'your_secret_key', 'yoursecretkey', 'YOUR_SECRET_KEY', 'your-secret', 'your_secret',
  'your_jwt_secret', 'your-jwt-secret', 'yourjwtsecret', 'jwt_secret', 'jwt-secret', 'jwtsecret', 'JWT_SECRET', 'jwtSecret', 'jwt secret', 'jwt_secret_key',
  'jwtSecretKey', 'JWT_SECRET_KEY', 'jwt-secret-key', 'jwtkey', 'jwt_key', 'JWT_KEY', 'tokensecret', 'token_secret', 'TOKEN_SECRET', 'token-secret',
  'session_secret', 'sessionsecret', 'session-secret', 'SESSION_SECRET', 'sessionSecret', 'session secret', 'cookie_secret', 'cookiesecret', 'cookie-secret',
  'COOKIE_SECRET', 'cookieSecret', 'cookie secret', 'app_secret', 'appsecret', 'APP_SECRET', 'app-secret', 'appSecret', 'api_secret', 'apisecret', 'API_SECRET',
  'secret1', 'secret2', 'secret123', 'key1', 'key2', 'keys', 'SEKRIT', 'SEKRIT1', 'SEKRIT2', 'im a newer secret', 'i like turtle', 'some secret hurr',
  'some secret', 'a secret', 'another secret', 'secret sauce', 'the secret', 'thesecret', 'dev', 'development', 'development key', 'devkey', 'dev-key', 'dev_key',
  'dev-secret', 'dev_secret', 'devsecret', 'test', 'testing', 'test-secret', 'test_secret', 'testsecret', 'test-key', 'testkey', 'default', 'default-secret',
  'default_secret', 'defaultsecret', 'default-key', 'defaultkey', 'hard to guess string', 'you-will-never-guess', 'you will never guess', 'hard-to-guess-string',
  'hard_to_guess_string', 'this-is-a-secret', 'ThisIsASecret', 'thisisasecret', 'this is a secret', 'thisismysecret', 'this-is-my-secret', 'this is my secret',
  'thisisasecretkey', 'this-is-a-secret-key', 'change_me', 'change-me', 'CHANGEME', 'CHANGE_ME', 'changeit', 'change-it', 'change_this', 'change-this',
  'changethis', 'CHANGE_THIS', 'changethissecret', 'change-this-secret', 'change_this_secret', 'please-change-me', 'pleasechangeme', 'replace-me', 'replaceme',
  'replace_me', 'REPLACE_ME', 'replace-this', 'replace-with-your-secret', 'replace-with-secure-random-value', 'tobemodified', 'toBeModified', 'toBeModified1',
  'toBeModified2', 'YOUR_SECRET_HERE', 'your-secret-here', 'your_secret_here', 'yoursecrethere', 'insert-secret-here', 'put-your-secret-here', 'todo', 'TODO',
  'fixme', 'FIXME', 'xxx', 'xxxx', 'XXXX', 'xxxxxxxx', 'complex_password_at_least_32_characters_long', 'a secret with minimum length of 32 characters',
  'DO NOT USE THIS VALUE. INSTEAD, CREATE A COMPLEX SECRET AND KEEP IT SAFE OUTSIDE OF THE SOURCE CODE.', 'averylogphrasebiggerthanthirtytwochars',
  'cookie-session-secret', 'express-session-secret', 'express', 'expressjs', 'express-secret', 'koa', 'koa-secret', 'flask', 'flask-secret', 'flask_secret',
  'flasksecret', 'flask-secret-key', 'django', 'django-secret', 'rails', 'node', 'nodejs', 'node-secret', 'nest', 'nestjs', 'next', 'nextjs', 'nextauth',
  'next-auth', 'NEXTAUTH_SECRET', 'auth_secret', 'auth-secret', 'AUTH_SECRET', 'authsecret', 'sails', 'hapi', 'fastify', 'hono', 'adonis', 'loopback',
  'feathers', 'strapi', 'payload', 'keystone', 'ghost', 'secret-sauce', 'qwertyuiopasdfghjklzxcvbnm123456', '01234567890123456789012345678901',
  '12345678901234567890123456789012', 'abcdefghijklmnopqrstuvwxyz123456', 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  '00000000000000000000000000000000', 'gsdfgsdfgsdfg', 'asdfasdfasdf', 'asdfghjkl', 'qwertyuiop', 'zxcvbnm', 'random', 'randomsecret', 'random-secret',
  'random_secret', 'random string', 'randomstring', 'random_string', 'somerandomstring', 'some-random-string', 'some_random_string', 'longrandomstring',
  'a-long-random-string', 'my-long-random-string', 'notasecret', 'not-a-secret', 'not_a_secret', 'nosecret', 'no-secret', 'insecure', 'insecure-secret',
  'unsafe', 'example', 'example-secret', 'example_secret', 'examplesecret', 'sample', 'sample-secret', 'demo', 'demo-secret', 'demosecret', 'local',
  'localsecret', 'local-secret', 'localhost', 'staging', 'production', 'prod', 'prod-secret', 'secretpassword', 'secret-password', 'secret_password',
  'password', 'passphrase', 'pass', 'key', 'token', 'jwt', 'auth', 'session', 'cookie', 'cookies', 'signing-key', 'signing_key', 'signingkey', 'SIGNING_KEY',
  'sign', 'signature', 'hmac', 'hmac-secret', 'hmac_secret', 'hmacsecret', 'hs256', 'HS256', 'private', 'privatekey', 'private_key', 'private-key',
  'shared-secret', 'shared_secret', 'sharedsecret', 'master', 'masterkey', 'master_key', 'master-key', 'admin', 'administrator', 'root', 'toor', 'user',
  'guest', 'welcome', 'hello', 'helloworld', 'hello world', 'hello-world', 'foo', 'bar', 'baz', 'foobar', 'foo bar', 'qux', 'abc', 'abc123', 'xyz',
  'cat', 'dog', 'keyboard', 'mouse', 'monkey', 'dragon', 'pizza', 'banana', 'apple', 'orange', 'cheese', 'coffee', 'batman', 'superman', 'starwars',
  'pokemon', 'ninja', 'unicorn', 'rainbow', 'sunshine', 'princess', 'shadow', 'master', 'football', 'baseball', 'soccer', 'hockey', 'summer', 'winter',
  'secretsecret', 'secret secret', 'secretkey123', 'mysecret123', 'supersecret123', 'secret!', 'Secret', 'SECRET', 'Secret123', 'Secret1', 's3cr3t', 's3cret',
  'secr3t', 'S3cr3t', 'p@ssw0rd', 'P@ssw0rd', 'passw0rd', 'Passw0rd', 'password1', 'Password1', 'password123', 'Password123', 'letmein', 'trustno1', 'iloveyou',
  'qwerty', 'qwerty123', 'azerty', '123456', '1234567', '12345678', '123456789', '1234567890', '0123456789', '111111', '000000', '121212', '123123',
  '654321', '666666', '696969', '7777777', '987654321', 'abcdef', 'abcdefg', 'abcdefgh', 'a', 'aa', 'aaa', 'x', 'xx', 's', 'k', '1', '12', '123', '1234',
  '12345', 'test123', 'test1234', 'testtest', 'changeme123', 'admin123', 'root123', 'qazwsx', '1qaz2wsx', 'zaq12wsx', 'q1w2e3r4', '1q2w3e4r', '1q2w3e4r5t',
  'asdf', 'asdf1234', 'zxcv', 'passpass', 'secret-token', 'secret_token', 'secrettoken', 'access-secret', 'access_secret', 'ACCESS_TOKEN_SECRET',
  'access_token_secret', 'accesstokensecret', 'refresh-secret', 'refresh_secret', 'REFRESH_TOKEN_SECRET', 'refresh_token_secret', 'refreshtokensecret',
  'verysecret', 'very-secret', 'very_secret', 'verysecretkey', 'very-secret-key', 'megasecret', 'ultrasecret', 'hyper-secret', 'secretive',
  'myappsecret', 'my-app-secret', 'my_app_secret', 'myapp', 'my-app', 'myapp-secret', 'app', 'application', 'webapp', 'website', 'server', 'backend',
  'api', 'apikey', 'api-key', 'api_key', 'API_KEY', 'mykey', 'my-key', 'my_key', 'thekey', 'the-key', 'somekey', 'some-key', 'anykey', 'any-key',
  'magic', 'magicword', 'opensesame', 'open sesame', 'sesame', 'shibboleth', 'mellon', 'xyzzy', 'plugh', 'hunter2', 'correct horse battery staple',
  'correcthorsebatterystaple', 'lorem ipsum', 'loremipsum', 'lorem', 'ipsum', 'dolor', 'none', 'null', 'undefined', 'false', 'true', 'nil', 'empty',
  'blank', 'secret_key_base', 'SECRET_KEY_BASE', 'secretkeybase', 'session_key', 'sessionkey', 'session-key', 'SESSION_KEY', 'cookie_key', 'cookie-key',
  'cookiekey', 'COOKIE_KEY', 'encryption_key', 'encryption-key', 'encryptionkey', 'ENCRYPTION_KEY', 'crypto', 'cipher', 'salt', 'pepper', 'salty',
  'iron', 'ironsession', 'iron-session', 'yar', 'hapi-auth-cookie', 'grant', 'passport', 'passport-secret', 'keycloak', 'oauth', 'openid', 'jose',
];

/** The Flask docs' example key, as the bytes Python uses (b'_5#y2L"F4Q8z\n\xec]/'). */
const BINARY = [Buffer.from([0x5f, 0x35, 0x23, 0x79, 0x32, 0x4c, 0x22, 0x46, 0x34, 0x51, 0x38, 0x7a, 0x0a, 0xec, 0x5d, 0x2f])];

const SUFFIXES = ['', '1', '12', '123', '1234', '!', '!!', '0', '01', '2020', '2021', '2022', '2023', '2024', '2025', '2026', '-dev', '_dev', '-prod', '-key', '_key'];

function variants(word: string): string[] {
  const cap = word.charAt(0).toUpperCase() + word.slice(1);
  const forms = new Set([word, word.toLowerCase(), word.toUpperCase(), cap]);
  // Suffixes only on short words: nobody appends a year to a 40-character sentence.
  if (word.length > 24) return [...forms];
  const out: string[] = [];
  for (const f of forms) for (const s of SUFFIXES) out.push(f + s);
  return out;
}

let cached: Candidate[] | undefined;

/** The built-in candidates, in order of how often they are the answer (verbatim defaults first). */
export function builtInSecrets(): Candidate[] {
  if (cached) return cached;
  const list = toCandidates([...PUBLISHED, ...PUBLISHED.flatMap(variants)]);
  for (const bytes of BINARY) list.push({ text: bytes.toString('latin1'), bytes });
  cached = list;
  return cached;
}
