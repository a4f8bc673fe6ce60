"""What the journeys share: screen sizes and the real login through allauth's forms."""

from collections.abc import Callable

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from playwright.sync_api import Page

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret (the middle of allauth's window)."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def log_in(
    page: Page,
    username: str,
    password: str,
    *,
    totp_secret: str | None = None,
    shot: Callable[[Page, str], object] | None = None,
) -> None:
    """Log in through allauth's real forms: username and password, then the TOTP code when asked."""
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(username)
    page.locator("input[name=password]").fill(password)
    if shot:
        shot(page, "login")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    if totp_secret is not None:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.locator("input[name=code]").fill(totp_code(totp_secret))
        if shot:
            shot(page, "totp-code")
        # The page's other submit button (Cancel) belongs to the logout form.
        page.locator("form:has(input[name=code]) button[type=submit]:not([form])").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
