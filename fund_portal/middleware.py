"""Middleware of the portal: two-factor authentication for staff, and Vietnamese first.

allauth has no setting to require MFA (upstream declined it), so StaffMFARequiredMiddleware sends
a logged-in staff user without a TOTP authenticator to the TOTP setup page before anything else.
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

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
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
        return self.get_response(request)


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
