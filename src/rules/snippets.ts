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
