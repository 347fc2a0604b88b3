"""Production settings: `manage.py check --deploy` is silent, and every answer carries
the transport and content-security headers a browser needs (issue 7, Security).

The suite itself runs with DEBUG off (bin/test), so the settings under test here are the
production ones; only the https redirect is off for the plain-http test client, and the
tests that need it turn it back on."""
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse
from knox.models import AuthToken

from testkit.cast import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
PRODUCTION_HOST = "concert.example.org"


# Set by this test process only (the browser tests' conftest sets the async one); a
# production environment has none of them.
TEST_ONLY_VARIABLES = ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")


def production_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SECURE_", "SESSION_", "CSRF_")) and key not in TEST_ONLY_VARIABLES}
    env.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS=PRODUCTION_HOST, **extra)
    return env


def run_check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- manage.py check --deploy ---------------------------------------------------------


def test_check_deploy_finds_nothing_to_warn_about_with_production_settings():
    result = run_check_deploy(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_check_deploy_would_warn_if_https_were_switched_off():
    # The check above can fail: without the redirect and HSTS Django names the gaps.
    result = run_check_deploy(production_env(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr  # HSTS
    assert "security.W008" in result.stdout + result.stderr  # https redirect


# --- Headers on pages and API answers --------------------------------------------------

EXPECTED_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}


def assert_security_headers(response):
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    directives = csp_directives(response)
    for name, values in EXPECTED_CSP.items():
        assert directives.get(name) == values, (name, directives.get(name))


def test_a_page_carries_every_security_header(client, manager, situation):
    client.force_login(manager)
    response = client.get(reverse("pages:situation-detail", args=[situation.pk]), secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_the_sign_in_page_carries_every_security_header(client, db):
    response = client.get(reverse("accounts:login"), secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_an_api_answer_carries_every_security_header(client, liaison):
    _row, token = AuthToken.objects.create(user=liaison)
    response = client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Token {token}", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)


def test_an_api_error_carries_the_headers_too(client, db):
    response = client.get("/api/v1/situations", secure=True)
    assert response.status_code == 401
    assert_security_headers(response)


def test_plain_http_is_redirected_to_https_but_health_probes_are_not(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    assert client.get("/healthz").status_code != 301


def test_no_policy_allows_inline_or_evaluated_scripts(client, manager):
    client.force_login(manager)
    for url in (reverse("pages:dashboard"), "/api/docs/", "/api/redoc/", "/api/v1/users/me"):
        script_src = csp_directives(client.get(url, secure=True)).get("script-src")
        assert script_src == ["'self'"], (url, script_src)


def test_only_the_redoc_page_relaxes_styles(client, manager):
    client.force_login(manager)
    assert "'unsafe-inline'" in csp_directives(client.get("/api/redoc/", secure=True))["style-src"]
    assert csp_directives(client.get("/api/docs/", secure=True))["style-src"] == ["'self'"]


# --- Cookies --------------------------------------------------------------------------


def test_signing_in_sets_secure_httponly_samesite_cookies(client, desk_officer):
    client.get(reverse("accounts:login"), secure=True)
    response = client.post(reverse("accounts:login"), {"username": desk_officer.username, "password": PASSWORD},
                           secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    csrf = response.cookies["csrftoken"]  # rotated on sign-in
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"


# --- No inline script or style, in templates and in rendered pages --------------------


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: script elements with a body, style
    elements, style attributes, on* handler attributes, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…> attribute")
            if name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}=…> htmx handler (needs eval)")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.problems.append("<style> element")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline <script> body: {data.strip()[:60]!r}")


def inline_code_in(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def test_the_finder_sees_inline_code():
    # The checks below would pass on anything if the finder saw nothing.
    html = '<script>alert(1)</script><a onclick="x()" style="color:red" href="javascript:void(0)">'
    assert len(inline_code_in(html)) == 4


# Template tags are not HTML; what they print is checked in the rendered pages below.
TEMPLATE_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.DOTALL)


def html_templates() -> list[Path]:
    return [path for folder in TEMPLATE_DIRS for path in sorted(folder.rglob("*.html"))]


def test_no_template_holds_inline_script_style_or_handlers():
    templates = html_templates()
    assert len(templates) > 20
    found = {}
    for path in templates:
        problems = inline_code_in(TEMPLATE_TAG.sub("", path.read_text()))
        if problems:
            found[str(path.relative_to(ROOT))] = problems
    assert found == {}


@pytest.mark.parametrize("url_name", ["pages:dashboard", "pages:situation-list", "alert-pages:queue",
                                      "alert-pages:rule-list", "pages:situation-create"])
def test_rendered_pages_hold_no_inline_code(client, manager, situation, action, url_name):
    client.force_login(manager)
    response = client.get(reverse(url_name), secure=True)
    assert response.status_code == 200
    assert inline_code_in(response.content.decode()) == []


def test_rendered_detail_pages_hold_no_inline_code(client, manager, situation, action):
    client.force_login(manager)
    for url in (reverse("pages:situation-detail", args=[situation.pk]),
                reverse("pages:action-detail", args=[action.pk])):
        response = client.get(url, secure=True)
        assert response.status_code == 200
        assert inline_code_in(response.content.decode()) == [], url


def test_the_api_docs_load_their_start_up_script_from_a_file(client, manager):
    client.force_login(manager)
    page = client.get("/api/docs/", secure=True)
    assert page.status_code == 200
    assert inline_code_in(page.content.decode()) == []
    script = client.get("/api/docs/?script=", secure=True)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content
