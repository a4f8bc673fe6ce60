"""Passwords Vietnamese users choose most often are refused, beside Django's English-language list.

Django's CommonPasswordValidator knows "password1" but not "matkhau123" ("mật khẩu" is
"password"). fund_portal/data/common-passwords-vi.txt.gz holds about 9,400 of them, lower case
without diacritics: common words of Vietnamese passwords (matkhau, anhyeuem, iloveyou, xinchao,
place and family names, quantri, canbo, ubndxa...) each with the usual endings (123, @123, a
year, 68/86/8888 for luck), and lucky or easy numbers (68686868, 0987654321). Both validators run
(settings.AUTH_PASSWORD_VALIDATORS).
"""

from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import fold


class VietnameseCommonPasswordValidator(CommonPasswordValidator):
    """Refuses a password of the Vietnamese list, whatever its case, diacritics and spaces
    ("Mật Khẩu 123" is "matkhau123")."""

    DEFAULT_PASSWORD_LIST_PATH = Path(__file__).resolve().parent / "data" / "common-passwords-vi.txt.gz"

    def validate(self, password, user=None):
        folded = "".join(fold(password).split())
        if folded in self.passwords or password.lower().strip() in self.passwords:
            raise ValidationError(self.get_error_message(), code="password_too_common")

    def get_error_message(self):
        return _("This password is one of the passwords most used in Vietnam.")

    def get_help_text(self):
        return _("Your password can’t be a password commonly used in Vietnam.")
