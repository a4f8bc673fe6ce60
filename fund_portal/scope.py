"""The portal's security model: who sees which records. Everything scoped starts here.

Rules, in the order they are applied by `visible_unit_ids` and `ScopedQuerySet.visible_to`:

1. An anonymous or inactive user sees nothing.
2. A superuser (the system administrator) sees everything. Superusers are few, named in
   README.md, and must use two-factor authentication like all staff.
3. A user whose role is not scoped (a donor, or no role) sees no scoped record: their own
   records (a donor's donations) are reached through their own selectors, not through scope.
4. A scoped user (fund staff, commune officer, auditor) with no unit sees nothing. This is
   deny by default: a forgotten unit never opens the data.
5. A scoped user sees the records whose unit lies in the subtree of their unit (their unit
   itself and everything under it).
6. A record with no unit is seen by fund staff (and superusers) only, never by a commune
   officer or an auditor. Accounts are the exception (`fund_portal.models.UserQuerySet`): a
   unit-less account (a donor's, a superuser's) is seen by superusers only.

Every scoped model inherits `ScopedModel` (its queryset a `ScopedQuerySet`) and names in
`scope_lookup` the path from the model to its `AdministrativeUnit` ("unit", "child__unit", or ""
for a unit itself), or a tuple of paths when a record belongs to several units (a disbursement:
the fund's unit and the commune it goes to); the record is then seen from any of them, and is
"without a unit" only when every path is empty. The admin (`fund_portal.admin.ScopedAdminMixin`),
the portal (`fund_portal.views.scoped_get_object_or_404`), exports and reports all call
`visible_to`; nothing filters by unit on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from .models import User

_CACHE_ATTR = "_visible_unit_ids"


def scoped_role(user) -> bool:
    from .models import SCOPED_ROLES

    return user.role in SCOPED_ROLES


def sees_everything(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def sees_unassigned_records(user) -> bool:
    from .models import Role

    return sees_everything(user) or (
        user.is_authenticated and user.is_active and user.role == Role.DISTRICT_STAFF
    )


def visible_unit_ids(user: User) -> frozenset[int] | None:
    """The ids of the units a user may see, or None for a superuser (no limit).

    Computed once per user object: a district has a few hundred units at most, and a
    constant id list gives the planner an index scan on every scoped table.
    """
    if sees_everything(user):
        return None
    if not user.is_authenticated or not user.is_active or not scoped_role(user) or user.unit_id is None:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from .models import AdministrativeUnit

    root_path = AdministrativeUnit.objects.filter(pk=user.unit_id).values_list("path", flat=True).first()
    ids = frozenset()
    if root_path:
        ids = frozenset(
            AdministrativeUnit.objects.filter(path__startswith=root_path).values_list("pk", flat=True)
        )
    setattr(user, _CACHE_ATTR, ids)
    return ids


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see."""

    def visible_to(self, user) -> ScopedQuerySet:
        ids = visible_unit_ids(user)
        if ids is None:
            return self.all()
        lookups = self.model.scope_lookup
        lookups = (lookups,) if isinstance(lookups, str) else tuple(lookups)
        condition = Q()
        for lookup in lookups:
            condition |= _within(self.model, lookup, ids)
        nullable = [lookup for lookup in lookups if _nullable(self.model, lookup)]
        if nullable and len(nullable) == len(lookups) and sees_unassigned_records(user):
            condition |= Q(**{f"{lookup}__isnull": True for lookup in lookups})
        return self.filter(condition)


def _within(model, lookup: str, ids: frozenset[int]) -> Q:
    """`lookup` leads into one of the units `ids`, as nested `IN (SELECT id ...)` subqueries.

    A subquery per hop (donation -> fund -> unit) instead of a join keeps the scoped table's own
    indexes usable: `fund_id IN (...) ORDER BY received_on DESC LIMIT 25` walks one index.
    """
    if not lookup:
        return Q(pk__in=ids)
    head, _sep, rest = lookup.partition("__")
    if not rest:
        return Q(**{f"{head}__in": ids})
    related = model._meta.get_field(head).related_model
    return Q(**{f"{head}__in": related._base_manager.filter(_within(related, rest, ids)).values("pk")})


def _nullable(model, lookup: str) -> bool:
    """Whether a record can have no unit along this path (some foreign key on it allows NULL)."""
    for name in lookup.split("__") if lookup else []:
        field = model._meta.get_field(name)
        if field.null:
            return True
        model = field.related_model
    return False


class ScopedModel(models.Model):
    """A record that belongs to a unit along `scope_lookup`: the scoped manager, and the unit stored
    with each audit-trail entry (django-auditlog's `get_additional_data`), both read from that path.

    A model with its own queryset sets `objects = MyQuerySet.as_manager()`, the queryset a
    `ScopedQuerySet`.
    """

    scope_lookup: str | tuple[str, ...] = ""
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def scope_unit_id(self) -> int | None:
        """The id of the unit this record belongs to: the first path of `scope_lookup` that leads to one."""
        lookups = (self.scope_lookup,) if isinstance(self.scope_lookup, str) else self.scope_lookup
        for lookup in lookups:
            if not lookup:
                return self.pk
            *path, last = lookup.split("__")
            record = self
            for name in path:
                record = getattr(record, name)
                if record is None:
                    break
            else:
                unit_id = getattr(record, f"{last}_id")
                if unit_id is not None:
                    return unit_id
        return None

    def get_additional_data(self) -> dict:
        """Stored with each audit-trail entry, so the trail is scoped like the record."""
        return {"unit_id": self.scope_unit_id()}
