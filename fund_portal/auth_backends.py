"""The portal's authentication backends: Django's and allauth's, with the account read in one query and
its permissions kept in the cache between requests.

Each request reads the logged-in account (`get_user`) with its unit (which the scope, the header and
most pages read) and whether it has a TOTP authenticator (which `StaffMFARequiredMiddleware` asks of
staff): one query, where there were three.

Django's `ModelBackend` reads an account's permissions from the database once per request (two queries,
the account's own and its groups'), and every portal page asks: the menu, the list's actions, whether
sensitive groups may be shown. Here the set is kept in the cache, under the account, for
`PERMISSIONS_SECONDS`, and read back only while nothing that grants permissions changed since:

- a change to who holds what (an account's groups or own permissions, a group's permissions, a group
  or a permission deleted, an account created or deleted) gives the cache a new *generation*, once when
  it happens and once more when its transaction commits (a page that read the permissions in between,
  from the database as it was, stored them under the generation of before, which no one reads again);
- what the account row itself says (active, superuser, role) is read from the database on every
  request as before, and is part of what the set is stored with: a change of `is_superuser` by an
  `UPDATE` that sends no signal is seen at once; an inactive account has no permissions, as in Django.

While Redis cannot be reached the cache is each process's memory (`fund_portal.cache`): a change then
reaches the other processes only when their copy expires, at most `PERMISSIONS_SECONDS` later.
"""

from __future__ import annotations

import uuid

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef

#: How long a set is kept: the longest a change waits to be seen when the cache is not shared (Redis down).
PERMISSIONS_SECONDS = 60
GENERATION_KEY = "permissions:generation"


def _key(user_id) -> str:
    return f"permissions:user:{user_id}"


def permissions_changed() -> None:
    """Say that who holds which permission changed: the kept sets are read again from the database.

    Called by the signals (`fund_portal.apps`); what changes grants without them (raw SQL) calls it."""

    def renew():
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)

    renew()
    transaction.on_commit(renew)


def _generation_and_kept(user_id) -> tuple[str, tuple | None]:
    """The cache's generation and what is kept for the account, in one round trip."""
    found = cache.get_many([GENERATION_KEY, _key(user_id)])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        return cache.get(GENERATION_KEY), None
    return generation, found.get(_key(user_id))


def totp_authenticators():
    """The accounts' TOTP authenticators: what "has TOTP" means, for `get_user` and the staff check."""
    return Authenticator.objects.filter(type=Authenticator.Type.TOTP)


class _PortalAccounts:
    """What both backends add: the account read in one query, its permissions kept in the cache."""

    def get_user(self, user_id):
        totp = totp_authenticators().filter(user=OuterRef("pk"))
        accounts = get_user_model()._default_manager.select_related("unit").annotate(has_totp=Exists(totp))
        user = accounts.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """What `has_perm`, `has_module_perms` and the templates' `perms` read, kept as the module says."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            # The account as the database says now: a change to these is seen without any signal.
            account = (user_obj.is_superuser, getattr(user_obj, "role", ""), user_obj.date_joined)
            generation, kept = _generation_and_kept(user_obj.pk)
            stamp = (generation, *account)
            if kept is not None and kept[0] == stamp:
                user_obj._perm_cache = set(kept[1])
            else:
                perms = super().get_all_permissions(user_obj)
                cache.set(_key(user_obj.pk), (stamp, frozenset(perms)), PERMISSIONS_SECONDS)
        return user_obj._perm_cache


class PortalModelBackend(_PortalAccounts, ModelBackend):
    """Django's `ModelBackend` (a login by user name, `force_login`)."""


class PortalAllauthBackend(_PortalAccounts, AuthenticationBackend):
    """allauth's backend (a login by e-mail address)."""
