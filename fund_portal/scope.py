"""The portal's security model: who sees which records. Everything scoped starts here.

Rules, in the order `ScopedQuerySet.visible_to` applies them:

1. An anonymous or inactive user sees nothing.
2. A superuser (the system administrator) sees everything. Superusers are few, named in
   README.md, and must use two-factor authentication like all staff.
3. A user whose role is not scoped (a donor, or no role) sees no scoped record: their own
   records (a donor's donations) are reached through their own selectors, not through scope.
4. A scoped user bound to a unit (fund staff, commune officer, auditor, village volunteer) with
   no unit sees nothing. This is deny by default: a forgotten unit never opens the data.
5. A scoped user sees the records whose unit lies in the subtree of their unit (their unit
   itself and everything under it). The subtree is one indexed prefix of the units'
   materialised path (`path LIKE '38/397/%'`), never a list of ids: a province of the national
   tree has tens of thousands of units under it, and the query is the same size for all.
6. A record with no unit is seen by fund staff (and superusers) only, never by a commune
   officer, a volunteer or an auditor (national or not). Accounts are the exception
   (`fund_portal.models.UserQuerySet`): a unit-less account (a donor's, a superuser's, a
   national auditor's) is seen by superusers only.
7. A national auditor (`Role.NATIONAL_AUDITOR`: the ministry's or a national supervisor's
   read-only account) sees every record that has a unit, in every province, without being a
   superuser. The breadth comes from the role, chosen on purpose, never from a missing unit
   (rule 4 stands): the role is the only one that must have no unit (`user_national_role_has_no_unit`),
   and every other scoped role must have one (`user_scoped_role_has_unit`). Rule 6 holds for it,
   and authority makes it read-only like the auditor.
8. A user whose unit is a village (a village child-protection volunteer, cộng tác viên) reaches a
   model through its `scope_village_lookup` when it declares one: a child's unit is its commune,
   above the village, so the volunteer reaches the children (and their groups, needs, reviews,
   supports, incidents) whose `village` is theirs, and only those. A model without one is
   reached through `scope_lookup` as for anyone (the village itself, the village's accounts),
   which shows a village user nothing of a commune's or a fund's records.

Every scoped model inherits `ScopedModel` (its queryset a `ScopedQuerySet`) and names in
`scope_lookup` the path from the model to its `AdministrativeUnit` ("unit", "child__unit", or ""
for a unit itself), or a tuple of paths when a record belongs to several units (a disbursement:
the fund's unit and the commune it goes to); the record is then seen from any of them, and is
"without a unit" only when every path is empty. Each hop of a path is its own
`IN (SELECT id ...)` subquery, so the scoped table's own indexes stay usable. The admin
(`fund_portal.admin.ScopedAdminMixin`), the portal (`fund_portal.views.scoped_get_object_or_404`),
exports and reports all call `visible_to`; nothing filters by unit on its own. `visible_units`
gives the units themselves as a queryset, for the few callers that keep a unit id outside a
foreign key (the audit trail); `visible_unit_ids` the ids, for a caller that really needs them;
`place_reached` and `communes_reached` say where a user may place a new record (rule 8 included).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from .models import User

_CACHE_ATTR = "_scope"
_IDS_ATTR = "_visible_unit_ids"
#: The condition on units that holds for none.
_NOTHING = Q(pk__in=[])


class Reach(NamedTuple):
    """What a user reaches: `units`, a condition on `AdministrativeUnit` (None: no limit; `_NOTHING`:
    nothing), and whether the user's unit is a village (rule 8)."""

    units: Q | None
    in_village: bool = False


def scoped_role(user) -> bool:
    from .models import SCOPED_ROLES

    return user.role in SCOPED_ROLES


def national_role(user) -> bool:
    from .models import NATIONAL_ROLES

    return user.role in NATIONAL_ROLES


def sees_everything(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def sees_unassigned_records(user) -> bool:
    from .models import Role

    return sees_everything(user) or (
        user.is_authenticated and user.is_active and user.role == Role.DISTRICT_STAFF
    )


def user_reach(user: User) -> Reach:
    """Rules 1 to 5, 7 and 8 for one user; the unit's path is read once per user object."""
    if sees_everything(user):
        return Reach(None)
    if not user.is_authenticated or not user.is_active or not scoped_role(user):
        return Reach(_NOTHING)
    if national_role(user):
        return Reach(Q())
    if user.unit_id is None:
        return Reach(_NOTHING)
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None and cached[0] == user.unit_id:
        return cached[1]
    from django.core.exceptions import ObjectDoesNotExist

    from .models import UnitLevel

    # The unit through the account's relation, which keeps it on the user object: the pages that ask
    # what a user sees also name the unit (the portal's header, a commune's review progress).
    try:
        unit = user.unit
    except ObjectDoesNotExist:
        unit = None
    reach = Reach(_NOTHING)
    if unit is not None and unit.path:
        reach = Reach(Q(path__startswith=unit.path), in_village=unit.level == UnitLevel.VILLAGE)
    setattr(user, _CACHE_ATTR, (user.unit_id, reach))
    return reach


def scope_commune_id(user: User) -> int | None:
    """The commune a user's whole scope lies in (a commune officer's: the commune and its villages), else
    None. A list of records placed in a commune may name it by equality besides `visible_to`: the
    commune's indexes then serve the list in its order, where the scope's subquery of six units made
    PostgreSQL read and sort the whole commune for each page."""
    from .models import UnitLevel

    return _scope_unit(user, UnitLevel.COMMUNE)


def scope_province_id(user: User) -> int | None:
    """The province a user's whole scope is (a province's staff, auditor or supervisor), else None. A
    list of children may name it by equality besides `visible_to` (`Child.province`, kept by the
    database): the province's own index then serves the list in its order, where through its 99
    communes a deep page of the national registry walked the whole country's name index."""
    from .models import UnitLevel

    return _scope_unit(user, UnitLevel.PROVINCE)


def _scope_unit(user: User, level: str) -> int | None:
    """The user's unit when the user's whole scope is that unit's subtree and the unit is of `level`."""
    unit = _subtree_unit(user)
    return unit.pk if unit is not None and unit.level == level else None


def _subtree_unit(user: User):
    """The unit whose subtree is the user's whole scope (not a village's rule 8, not everything), or
    None."""
    reach = user_reach(user)
    if reach.units is None or reach.units is _NOTHING or reach.in_village or not reach.units:
        return None
    return user.unit


def scope_commune_ids(user: User, *, most: int) -> frozenset[int] | None:
    """The communes a user's whole scope is, when more than one and at most `most` (a district's staff:
    30 communes), else None. A list of children in name order is then read commune by commune, each
    commune's index in order (`children.selectors.registry.children_page`), where the country's name
    index, walked for a district's 0.2% of it, kept one entry in 450."""
    from .models import UnitLevel

    unit = _subtree_unit(user)
    if unit is None or unit.level == UnitLevel.COMMUNE:
        return None
    ids = _few_unit_ids(user, most=most, level=UnitLevel.COMMUNE)
    return ids if ids and len(ids) > 1 else None


def visible_units(user: User) -> models.QuerySet | None:
    """The units a user may see as a queryset (to use as a subquery), or None for a superuser."""
    from .models import AdministrativeUnit

    units = user_reach(user).units
    if units is None:
        return None
    return AdministrativeUnit._base_manager.filter(units)


def visible_unit_ids(user: User) -> frozenset[int] | None:
    """The ids of the units a user may see, or None for a superuser (no limit).

    For callers that need the ids themselves; a query of scoped records uses `visible_to`, whose
    condition is the path prefix whatever the number of units. Computed once per user object.
    """
    units = visible_units(user)
    if units is None:
        return None
    cached = getattr(user, _IDS_ATTR, None)
    if cached is not None and cached[0] == user.unit_id:
        return cached[1]
    ids = frozenset(units.values_list("pk", flat=True))
    setattr(user, _IDS_ATTR, (user.unit_id, ids))
    return ids


def units_in_reach(user: User | None, *unit_ids: int | None) -> bool:
    """Whether every one of the units (None ignored) is one the user may see: the one scope check of a
    service that acts on units by id. The system (`user` None) and superusers reach every unit."""
    from .models import AdministrativeUnit

    ids = {pk for pk in unit_ids if pk is not None}
    if user is None or not ids or sees_everything(user):
        return True
    return AdministrativeUnit.objects.visible_to(user).filter(pk__in=ids).count() == len(ids)


def communes_reached(user: User) -> models.QuerySet:
    """The communes a user may place a record in (an incident): the communes in scope, and the commune
    of a village in scope (a village volunteer's records belong to their village's commune, rule 8)."""
    from .models import AdministrativeUnit, UnitLevel

    visible = AdministrativeUnit.objects.visible_to(user)
    return AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE).filter(
        Q(pk__in=visible.values("pk")) | Q(pk__in=visible.filter(level=UnitLevel.VILLAGE).values("parent_id"))
    )


def place_reached(user: User, *, commune_id: int, village_id: int | None) -> bool:
    """Whether a record placed in a commune (a child, and maybe its village) is in the user's scope:
    its commune is, or for a user whose unit is a village, its village is (rule 8)."""
    from .models import AdministrativeUnit

    units = AdministrativeUnit.objects.visible_to(user)
    if not user_reach(user).in_village:
        return units.filter(pk=commune_id).exists()
    return village_id is not None and units.filter(pk=village_id, parent_id=commune_id).exists()


def _lookups(declared: str | tuple[str, ...]) -> tuple[str, ...]:
    return (declared,) if isinstance(declared, str) else tuple(declared)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see."""

    def visible_to(self, user, *, ids_up_to: int = 0, ids_level: str | None = None) -> ScopedQuerySet:
        """The records `user` may see. `ids_up_to`: when the user's units number at most this, the query
        names their ids (`unit_id IN (1, 2, ...)`) instead of the path's subquery. The condition is the
        same; what changes is what PostgreSQL knows: it estimates a list from the column's own
        statistics, and a subquery as if the records were spread evenly over every unit of the country.
        For a list whose plan turns on how many rows the scope holds (the admin's children list: a deep
        page walks the name index when the scope is most of the table, sorts the scope when it is a
        sliver), not for every query: the ids cost a query, and the national tree has 3,321 communes.
        `ids_level`: only the units of this level are named, where the records' unit always has it (a
        child's commune: a province's 99 communes, not its 600 units with their villages); a village
        user's own unit is named whatever its level."""
        reach = user_reach(user)
        if reach.units is None:
            return self.all()
        if reach.units is _NOTHING:
            return self.none()
        units = reach.units
        if ids_up_to and units:  # Q() is every unit (a national role): nothing to list
            level = None if reach.in_village else ids_level
            units = _few_unit_ids(user, most=ids_up_to, level=level) or units
        lookups = _lookups(self.model.scope_lookup)
        village = getattr(self.model, "scope_village_lookup", "")
        condition = Q()
        for lookup in (village,) if reach.in_village and village else lookups:
            condition |= _within(self.model, lookup, units)
        nullable = [lookup for lookup in lookups if _nullable(self.model, lookup)]
        if nullable and len(nullable) == len(lookups) and sees_unassigned_records(user):
            condition |= Q(**{f"{lookup}__isnull": True for lookup in lookups})
        return self.filter(condition)


def _few_unit_ids(user: User, *, most: int, level: str | None = None) -> frozenset[int] | None:
    """The ids of the units `user` may see (of `level` only, when given) when there are at most `most`
    of them (one query that stops after `most` + 1 units), else None. Kept on the user object as
    `visible_unit_ids` keeps its own."""
    attr = f"{_IDS_ATTR}:{level}" if level else _IDS_ATTR
    cached = getattr(user, attr, None)
    if cached is not None and cached[0] == user.unit_id:
        return cached[1] if len(cached[1]) <= most else None
    units = visible_units(user)
    if level:
        units = units.filter(level=level)
    ids = list(units.values_list("pk", flat=True)[: most + 1])
    if len(ids) > most:
        return None
    found = frozenset(ids)
    setattr(user, attr, (user.unit_id, found))
    return found


def _within(model, lookup: str, units: Q | frozenset[int]) -> Q:
    """`lookup` leads into one of the units that meet `units` (a condition on the units, or their ids),
    as nested `IN (SELECT id ...)` subqueries.

    A subquery per hop (donation -> fund -> unit) instead of a join keeps the scoped table's own
    indexes usable: `fund_id IN (...) ORDER BY received_on DESC LIMIT 25` walks one index, and the
    last hop reads the units by the path's prefix index (or is the list of their ids).
    """
    if isinstance(units, frozenset):
        if not lookup:
            return Q(pk__in=units)
        head, _sep, rest = lookup.partition("__")
        if not rest:
            return Q(**{f"{head}__in": units})
        related = model._meta.get_field(head).related_model
        return Q(**{f"{head}__in": related._base_manager.filter(_within(related, rest, units)).values("pk")})
    if not lookup:
        return units
    head, _sep, rest = lookup.partition("__")
    if not rest and not units:  # every unit (rule 7): having one is enough
        return Q(**{f"{head}__isnull": False})
    related = model._meta.get_field(head).related_model
    return Q(**{f"{head}__in": related._base_manager.filter(_within(related, rest, units)).values("pk")})


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
    #: The path to the village the record lies in, for a record whose unit is above it (a child's
    #: unit is its commune): a user whose unit is a village reaches the model through it (rule 8).
    scope_village_lookup: str = ""
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
