"""Pure rules of what people type into a child's record: a person's name, a phone number."""

import re

from django.utils.translation import gettext as _

from fund_portal.text import is_digits

#: The fields holding a person's name.
NAME_FIELDS = ("full_name", "guardian_name")


def phone_is_valid(text: str) -> bool:
    """A Vietnamese phone number as people write it: 10 digits (mobile) or 11 (landline) from 0, or
    +84 in place of the 0, with spaces, dots or dashes between groups."""
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    return is_digits(digits) and digits.startswith("0") and len(digits) in (10, 11)


def typed_text_errors(values: dict) -> dict[str, list[str]]:
    """Each name with a digit and a phone that is not one, refused on its field, in Vietnamese."""
    errors: dict[str, list[str]] = {}
    for name in NAME_FIELDS:
        if any(ch.isdigit() for ch in values.get(name) or ""):
            errors[name] = [_("A person's name has no digits.")]
    phone = values.get("guardian_phone") or ""
    if phone and not phone_is_valid(phone):
        errors["guardian_phone"] = [
            _("“%(value)s” is not a phone number: 10 digits starting with 0, e.g. 0912 345 678.")
            % {"value": phone}
        ]
    return errors
