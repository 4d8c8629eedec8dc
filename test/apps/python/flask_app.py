"""A Flask login app with Flask's default client-side (signed cookie) session.

The login page stores a CSRF token in the session; logout clears the session. Because all state
lives in the signed cookie, a copy of the cookie taken before logout still works afterwards.
Run: python3 flask_app.py PORT (password in APP_PASSWORD). With APP_LIFETIME_SECONDS=N the session
is made permanent at login and PERMANENT_SESSION_LIFETIME is N seconds: the cookie gets Expires,
the signed timestamp is checked on every request, and Flask re-issues the cookie on every request
(SESSION_REFRESH_EACH_REQUEST), so the session ends N seconds after the last request, never while busy.
"""
import os
import secrets
import sys
from datetime import timedelta

from flask import Flask, jsonify, redirect, request, session

app = Flask(__name__)
# APP_SECRET: a weak key for the weak-secret tests; a random one otherwise.
app.secret_key = os.environ.get("APP_SECRET") or secrets.token_hex(32)
PASSWORD = os.environ["APP_PASSWORD"]
LIFETIME = os.environ.get("APP_LIFETIME_SECONDS")
if LIFETIME:
    app.permanent_session_lifetime = timedelta(seconds=int(LIFETIME))


@app.get("/login")
def login_page():
    session["csrf"] = secrets.token_hex(8)
    return (
        '<form method="post" action="/login">'
        f'<input type="hidden" name="csrf" value="{session["csrf"]}">'
        '<input name="username"><input type="password" name="password"></form>'
    )


@app.post("/login")
def login():
    if request.form.get("csrf") != session.get("csrf"):
        return "csrf", 403
    if request.form.get("username") == "alice" and request.form.get("password") == PASSWORD:
        session["user"] = "alice"
        session.permanent = bool(LIFETIME)
        return redirect("/me")
    return "bad", 401


@app.get("/me")
def me():
    if "user" in session:
        return jsonify(user=session["user"])
    return jsonify(error="not logged in"), 401


@app.post("/logout")
def logout():
    session.clear()
    return redirect("/")


@app.get("/")
def home():
    return "home"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]))
