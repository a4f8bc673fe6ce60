"""Two-factor authentication is required of every account that can reach the admin.

allauth has no setting for this (upstream declined it), so this middleware sends a logged-in
staff user without a TOTP authenticator to the TOTP setup page before anything else.
"""

from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse

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
