"""A one-file Django app using django.contrib.auth's real login()/logout() and database sessions.

Django issues no session before login (its CSRF token lives in the csrftoken cookie), rotates the
session key at login, and flushes the session at logout. Its default session cookie is
persistent for two weeks. Run: python3 django_app.py PORT DBFILE (password in APP_PASSWORD).
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
)

import django  # noqa: E402

django.setup()

from django.contrib.auth import authenticate, login, logout  # noqa: E402
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


def logout_view(request):
    logout(request)
    return HttpResponse(status=302, headers={"Location": "/"})


urlpatterns = [
    path("login/", login_view),
    path("me/", me),
    path("logout/", logout_view),
    path("", lambda r: HttpResponse("home")),
]

if __name__ == "__main__":
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    User.objects.create_user("alice", password=os.environ["APP_PASSWORD"])
    call_command("runserver", f"127.0.0.1:{PORT}", "--noreload", "--nothreading")
