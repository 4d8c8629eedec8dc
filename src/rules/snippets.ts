/**
 * express-session fix snippets, shared by the rules they fix (written once). `{{cookie}}` is
 * replaced by the audited session cookie's name.
 */
export const EXPRESS_SESSION_COOKIE = `app.set('trust proxy', 1); // when TLS ends at a proxy in front of Express
app.use(session({
  name: '__Host-sid',                 // not the default connect.sid
  secret: process.env.SESSION_SECRET, // long, random, not 'keyboard cat'
  resave: false,
  saveUninitialized: false,
  store: new RedisStore({ client: redisClient }), // not the default MemoryStore
  cookie: {
    secure: true,
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    maxAge: 24 * 60 * 60 * 1000,      // within your policy's maximum lifetime
  },
}));`;

export const EXPRESS_SESSION_REGENERATE = `app.post('/login', async (req, res, next) => {
  const user = await verifyCredentials(req.body.username, req.body.password);
  if (!user) return res.status(401).send('Invalid credentials');
  req.session.regenerate((err) => {           // new ID: the pre-login ID dies here
    if (err) return next(err);
    req.session.userId = user.id;
    req.session.save((err) => (err ? next(err) : res.redirect('/')));
  });
});`;

export const EXPRESS_SESSION_DESTROY = `app.post('/logout', (req, res, next) => {
  req.session.destroy((err) => {              // removes the session from the store
    if (err) return next(err);
    res.clearCookie('{{cookie}}', { path: '/' }); // the session cookie's name and path
    res.redirect('/login');
  });
});`;

export const EXPRESS_SESSION_TIMEOUTS = `app.use(session({
  store: new RedisStore({ client: redisClient }), // a store that expires entries itself
  rolling: true,                     // re-issue the cookie on every response: the promise moves with the store's TTL
  cookie: { maxAge: 30 * 60 * 1000 }, // idle timeout: the session ends 30 minutes after the last request
  // ...
}));
const MAX_LIFETIME = 8 * 60 * 60 * 1000; // absolute timeout: no session lives longer than this
app.use((req, res, next) => {
  if (!req.session?.user) return next();
  req.session.createdAt ??= Date.now(); // set at login
  if (Date.now() - req.session.createdAt > MAX_LIFETIME) return req.session.destroy(() => res.redirect('/login'));
  next();
});`;

export const EXPRESS_SESSION_STORE = `import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';

const redisClient = createClient({ url: process.env.REDIS_URL });
await redisClient.connect();
app.use(session({
  store: new RedisStore({ client: redisClient }), // not the default MemoryStore
  // ...
}));`;

export const EXPRESS_SESSION_PASSWORD_CHANGE = `// Keep each user's session IDs, and destroy the others when the password changes.
app.post('/account/password', requireLogin, async (req, res, next) => {
  await users.setPassword(req.session.user, req.body.newPassword);
  for (const sid of await sessionIdsOf(req.session.user)) {
    if (sid !== req.sessionID) req.sessionStore.destroy(sid, () => {});
  }
  req.session.regenerate((err) => (err ? next(err) : res.redirect('/account')));
});`;
