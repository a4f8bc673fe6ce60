"""Production settings switch on CSRF, secure cookies and a Content Security Policy.

tests/fund_portal/test_settings.py already checks, in a fresh interpreter with production values,
that HTTPS redirects are on, HSTS lasts a year and `check --deploy` is silent; this reads the rest.
"""

import json

from tests.fund_portal.test_settings import PRODUCTION, run

PRINT = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "middleware": settings.MIDDLEWARE,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "hsts_subdomains": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "csp": {k: [str(v) for v in vs] for k, vs in settings.SECURE_CSP.items()},
    "frame": settings.X_FRAME_OPTIONS,
    "nosniff": settings.SECURE_CONTENT_TYPE_NOSNIFF,
    "login_rate": settings.ACCOUNT_RATE_LIMITS["login_failed"],
    "donate_rate": [settings.DONATE_RATE_LIMIT, settings.DONATE_RATE_PERIOD],
    "upload": [settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.IMPORT_MAX_UPLOAD_BYTES],
    "logout_on_get": settings.ACCOUNT_LOGOUT_ON_GET,
}))
"""


def test_production_settings_turn_on_csrf_secure_cookies_and_a_strict_csp(tmp_path):
    result = run(["-c", PRINT], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    middleware = values["middleware"]
    for name in (
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.csp.ContentSecurityPolicyMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.LoginRequiredMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ):
        assert name in middleware, name
    assert middleware.index("django.middleware.csrf.CsrfViewMiddleware") < middleware.index(
        "django.contrib.auth.middleware.LoginRequiredMiddleware"
    )
    assert values["session_secure"] and values["csrf_secure"] and values["session_httponly"]
    assert values["hsts_subdomains"] is True
    csp = values["csp"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert values["frame"] == "DENY" and values["nosniff"] is True
    assert values["login_rate"] and values["donate_rate"][0] > 0
    assert values["logout_on_get"] is False


def test_the_csrf_token_is_checked_on_the_donation_form_and_the_login(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/login/", {"login": "x", "password": "y"}).status_code == 403
    assert strict.post("/donate/", {"amount": "100.000"}).status_code == 403
