"""A one-file Django app using django.contrib.auth's real login()/logout() and database sessions.

Django issues no session before login (its CSRF token lives in the csrftoken cookie), rotates the
session key at login, and flushes the session at logout. Its default session cookie is
persistent for two weeks (APP_COOKIE_AGE=N seconds sets SESSION_COOKIE_AGE). /password/ is
Django's own PasswordChangeForm with update_session_auth_hash: the user's other sessions end,
because AuthenticationMiddleware checks each session's password hash.
Run: python3 django_app.py PORT DBFILE (password in APP_PASSWORD).
"""
import os
import sys

from django.conf import settings

PORT, DB = sys.argv[1], sys.argv[2]
settings.configure(
    DEBUG=False,
    SECRET_KEY=os.urandom(32).hex(),
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1"],
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions"],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DB}},
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],  # fast test setup only
    SESSION_COOKIE_AGE=int(os.environ.get("APP_COOKIE_AGE", "1209600")),
)

import django  # noqa: E402

django.setup()

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash  # noqa: E402
from django.contrib.auth.forms import PasswordChangeForm  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.middleware.csrf import get_token  # noqa: E402
from django.urls import path  # noqa: E402


def login_view(request):
    if request.method == "GET":
        token = get_token(request)
        return HttpResponse(
            f'<form method="post" action="/login/"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            '<input name="username"><input type="password" name="password"></form>'
        )
    user = authenticate(request, username=request.POST.get("username"), password=request.POST.get("password"))
    if user is None:
        return HttpResponse("bad", status=401)
    login(request, user)
    return HttpResponse(status=302, headers={"Location": "/me/"})


def me(request):
    if request.user.is_authenticated:
        return JsonResponse({"user": request.user.username})
    return JsonResponse({"error": "not logged in"}, status=401)


def password_view(request):
    if not request.user.is_authenticated:
        return JsonResponse({"error": "not logged in"}, status=401)
    if request.method == "GET":
        token = get_token(request)
        return HttpResponse(
            f'<form method="post" action="/password/"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            '<input type="password" name="old_password"><input type="password" name="new_password1">'
            '<input type="password" name="new_password2"></form>'
        )
    form = PasswordChangeForm(request.user, request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    user = form.save()
    update_session_auth_hash(request, user)
    return HttpResponse(status=302, headers={"Location": "/me/"})


def logout_view(request):
    logout(request)
    return HttpResponse(status=302, headers={"Location": "/"})


urlpatterns = [
    path("login/", login_view),
    path("me/", me),
    path("logout/", logout_view),
    path("password/", password_view),
    path("", lambda r: HttpResponse("home")),
]

if __name__ == "__main__":
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    User.objects.create_user("alice", password=os.environ["APP_PASSWORD"])
    call_command("runserver", f"127.0.0.1:{PORT}", "--noreload", "--nothreading")
