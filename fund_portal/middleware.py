"""Middleware of the portal: two-factor authentication for staff, Vietnamese first, and no NUL bytes.

allauth has no setting to require MFA (upstream declined it), so StaffMFARequiredMiddleware sends
a logged-in staff user without a TOTP authenticator to the TOTP setup page before anything else.
"""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .auth_backends import totp_authenticators

#: Paths a staff user without TOTP may still open: setting it up, leaving, and the probes.
ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/")


class StaffMFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.needs_mfa
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not _has_totp(user)
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
        return self.get_response(request)


def _has_totp(user) -> bool:
    """Read with the account by the portal's backends (`fund_portal.auth_backends`), else asked here."""
    known = getattr(user, "has_totp", None)
    if known is not None:
        return known
    return totp_authenticators().filter(user=user).exists()


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the visitor chose English with the language switch (a cookie).

    The browser's Accept-Language is not followed: officers' office PCs and phones are often
    set to English, and the portal's users work in Vietnamese.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefuseNulBytesMiddleware:
    """A request whose path or query holds a NUL byte gets a 400 page, before any view reads it.

    PostgreSQL cannot store or compare NUL in text (psycopg refuses the query), so a `%00` reaching
    a lookup was a server error. Form fields refuse NUL themselves (Django's CharField); the path
    and the query string are read raw by views and the admin, so they are checked here, once.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            return bad_request_page(request, _("The address holds a character that is not allowed."))
        return self.get_response(request)


def bad_request_page(request, message: str) -> HttpResponseBadRequest:
    """The portal's 400 page, in the visitor's language, with what was wrong."""
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}, request=request))
