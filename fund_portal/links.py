"""A record's page address made without walking the URL tree for each record of a list.

Django's `reverse` resolves the pattern on every call: 25 µs, 0.8 ms of a 30-row list of children. Here
the address is reversed once per URL name, with a stand-in number for the id, and each record's id is
put in its place. The halves are kept per URLconf and script prefix, the two things `reverse` reads
besides its arguments (a test that swaps the URLconf gets addresses of its own URLconf).
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

#: A stand-in id no address holds otherwise: it is cut out of the reversed address.
_STAND_IN = 918273645546372819


@functools.cache
def _halves(viewname: str, urlconf: str, prefix: str) -> tuple[str, str]:
    before, _stand_in, after = reverse(viewname, urlconf=urlconf, args=(_STAND_IN,)).partition(str(_STAND_IN))
    return before, after


def reverse_with_id(viewname: str, pk: int) -> str:
    """`reverse(viewname, args=(pk,))` for a URL whose one argument is a record's integer id."""
    before, after = _halves(viewname, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    return f"{before}{int(pk)}{after}"
