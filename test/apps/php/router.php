<?php
// A plain PHP login app (php -S), vulnerable unless FIXED=1:
//   vulnerable: session.use_strict_mode=0 (adopts client-invented IDs), no session_regenerate_id at
//               login, logout only unsets the user (session lives on, cookie kept);
//   fixed:      strict mode, session_regenerate_id(true) at login, session_destroy + expiring cookie
//               at logout, HttpOnly and SameSite=Lax.
// The login page stores a CSRF token in the session, so a pre-login session exists.
$fixed = getenv('FIXED') === '1';
if ($fixed) { ini_set('session.use_strict_mode', '1'); ini_set('session.cookie_httponly', '1'); ini_set('session.cookie_samesite', 'Lax'); }
else { ini_set('session.use_strict_mode', '0'); }
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
session_start();
if ($path === '/login' && $_SERVER['REQUEST_METHOD'] === 'GET') {
  $_SESSION['csrf'] = bin2hex(random_bytes(16));
  echo '<form method="post" action="/login"><input type="hidden" name="csrf" value="'.$_SESSION['csrf'].'"><input name="username"><input type="password" name="password"></form>';
  exit;
}
if ($path === '/login') {
  if (($_POST['csrf'] ?? '') !== ($_SESSION['csrf'] ?? 'x')) { http_response_code(403); echo 'csrf'; exit; }
  if (($_POST['username'] ?? '') === 'alice' && ($_POST['password'] ?? '') === getenv('APP_PASSWORD')) {
    if ($fixed) session_regenerate_id(true);
    $_SESSION['user'] = 'alice';
    header('Location: /me'); http_response_code(302); exit;
  }
  http_response_code(401); echo 'bad'; exit;
}
if ($path === '/me') { if (isset($_SESSION['user'])) { echo json_encode(['user'=>$_SESSION['user']]); } else { http_response_code(401); echo '{}'; } exit; }
if ($path === '/logout') {
  if ($fixed) { session_destroy(); setcookie(session_name(), '', time()-3600, '/'); } else { unset($_SESSION['user']); }
  header('Location: /'); http_response_code(302); exit;
}
echo 'home';
