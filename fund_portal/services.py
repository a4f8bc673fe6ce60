"""Writes of the portal's core: the administrative tree, accounts and roles."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .authority import APP_LABEL, actions_of
from .models import ADMIN_ROLES, READ_ONLY_ROLES, SCOPED_ROLES, AdministrativeUnit, Role, UnitLevel, User

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Apps whose models fund staff manage in the admin.
STAFF_APPS = ("donations", "children", "campaigns", "reports")

#: Permissions that stay off a role's group even when the role gets the rest of the app.
#: Sensitive children's data needs its own, explicit grant (children issue).
WITHHELD_CODENAMES: frozenset[str] = frozenset({"view_sensitive"})


def _check_place(*, unit: AdministrativeUnit, parent: AdministrativeUnit | None) -> None:
    """A province is a root; every other unit sits under a unit of a higher level, never under itself."""
    if unit.level == UnitLevel.PROVINCE:
        if parent is not None:
            raise ValidationError({"parent": _("A province has no parent unit.")})
        return
    if parent is None:
        raise ValidationError({"parent": _("Only a province can be at the top of the tree.")})
    if UnitLevel.rank(parent.level) >= UnitLevel.rank(unit.level):
        raise ValidationError(
            {
                "parent": _("The parent unit must be of a higher level than %(level)s.")
                % {"level": UnitLevel(unit.level).label}
            }
        )
    if unit.pk and f"/{unit.code}/" in f"/{parent.path}":
        raise ValidationError({"parent": _("A unit cannot be placed under itself.")})


def unit_save(*, unit: AdministrativeUnit) -> AdministrativeUnit:
    """Validate a unit's place in the tree, derive its path, and save it with its subtree's paths."""
    _check_place(unit=unit, parent=unit.parent)
    old_path = unit.path
    unit.path = f"{unit.parent.path if unit.parent else ''}{unit.code}/"
    unit.full_clean()
    with transaction.atomic():
        unit.save()
        if old_path and old_path != unit.path:
            for descendant in AdministrativeUnit.objects.filter(path__startswith=old_path).exclude(
                pk=unit.pk
            ):
                descendant.path = unit.path + descendant.path[len(old_path) :]
                descendant.save(update_fields=["path"])
    return unit


def units_load(*, rows: Iterable[dict]) -> tuple[int, int]:
    """Create or update units from rows {code, name, level, parent[, flags]}, all or nothing.

    New units are checked like `unit_save` and inserted in bulk, a level at a time; changed
    ones go through `unit_save`. Returns (created, updated); the same rows again change nothing.
    """
    created = updated = 0
    by_code = {u.code: u for u in AdministrativeUnit.objects.all()}
    by_level: dict[str, list[dict]] = {level: [] for level in UnitLevel.values}
    for row in rows:
        if row.get("level") not in by_level:
            raise ValidationError(_("Unit %(code)s has an unknown level.") % {"code": row.get("code")})
        by_level[row["level"]].append(row)
    with transaction.atomic():
        for level_rows in by_level.values():
            new_units = []
            for row in level_rows:
                parent = by_code.get(row["parent"]) if row.get("parent") else None
                if row.get("parent") and parent is None:
                    raise ValidationError(
                        _("Unit %(code)s names an unknown parent %(parent)s.")
                        % {"code": row["code"], "parent": row["parent"]}
                    )
                fields = {
                    "name": row["name"],
                    "level": row["level"],
                    "parent": parent,
                    "is_especially_difficult": row.get("is_especially_difficult", False),
                    "is_ethnic_mountainous": row.get("is_ethnic_mountainous", False),
                }
                unit = by_code.get(row["code"])
                if unit is None:
                    unit = AdministrativeUnit(code=row["code"], **fields)
                    _check_place(unit=unit, parent=parent)
                    unit.path = f"{parent.path if parent else ''}{unit.code}/"
                    unit.clean_fields()
                    new_units.append(unit)
                    by_code[unit.code] = unit
                elif any(getattr(unit, k) != v for k, v in fields.items()):
                    for key, value in fields.items():
                        setattr(unit, key, value)
                    by_code[unit.code] = unit_save(unit=unit)
                    updated += 1
            AdministrativeUnit.objects.bulk_create(new_units, batch_size=1000)
            created += len(new_units)
            if new_units and not all(u.pk for u in new_units):
                # Backends that do not return ids from a bulk insert: read them back.
                ids = dict(
                    AdministrativeUnit.objects.filter(code__in=[u.code for u in new_units]).values_list(
                        "code", "pk"
                    )
                )
                for u in new_units:
                    u.pk = ids[u.code]
    return created, updated


def units_load_file(*, path: Path) -> tuple[int, int]:
    return units_load(rows=json.loads(Path(path).read_text(encoding="utf-8")))


#: Names a role's group had under an earlier label, merged into the group under its current name.
FORMER_GROUP_NAMES = {Role.DISTRICT_STAFF: ("Cán bộ quản lý Quỹ (huyện)", "Fund staff (district)")}


def role_group_name(role: str) -> str:
    """A role's group is named once, in Vietnamese, whatever language the migration ran in."""
    with translation.override("vi"):
        return str(Role(role).label)


def _role_permissions() -> dict[str, list[Permission]]:
    """Each role's permissions: its actions from `authority_table`, and for the admin roles the
    models' permissions (fund staff: every model of the fund's apps; the auditors: view only)."""
    staff_models = Permission.objects.filter(content_type__app_label__in=STAFF_APPS).exclude(
        codename__in=WITHHELD_CODENAMES
    )
    core_view = Permission.objects.filter(
        content_type__app_label__in=("fund_portal", "auditlog"), codename__startswith="view_"
    )
    actions = {p.codename: p for p in Permission.objects.filter(content_type__app_label=APP_LABEL)}
    wanted = {}
    for role in SCOPED_ROLES:
        perms = [actions[a.value] for a in actions_of(role) if a.value in actions]
        if role == Role.DISTRICT_STAFF:
            perms += list(staff_models) + list(core_view)
        elif role in READ_ONLY_ROLES:
            perms += [p for p in staff_models if p.codename.startswith("view_")] + list(core_view)
        wanted[role] = perms
    return wanted


def role_groups_sync() -> dict[str, Group]:
    """Write `fund_portal.authority`'s table into the roles' groups, one group per role.

    The auditor's group holds exactly its view permissions (a write permission added by hand is
    taken away again); the other groups keep what staff added in the admin. Groups named after a
    role in another language (earlier versions named them in the language of the migration) or
    under the role's former label are merged into the role's group. Every user of a role is in its
    group and in no other role's."""
    wanted = _role_permissions()
    groups = {}
    with transaction.atomic():
        for role, perms in wanted.items():
            name = role_group_name(role)
            group, _created = Group.objects.get_or_create(name=name)
            other_names = set(FORMER_GROUP_NAMES.get(role, ()))
            for code, _label in settings.LANGUAGES:
                with translation.override(code):
                    other_names.add(str(Role(role).label))
            for stale in Group.objects.filter(name__in=other_names - {name}):
                group.user_set.add(*stale.user_set.all())
                stale.delete()
            if role in READ_ONLY_ROLES:
                group.permissions.set(perms)
            else:
                group.permissions.add(*perms)
            groups[role] = group
        for role, group in groups.items():
            group.user_set.remove(*group.user_set.exclude(role=role))
            group.user_set.add(*User.objects.filter(role=role).exclude(groups=group))
    return groups


def user_set_role(*, user: User, role: str, unit: AdministrativeUnit | None) -> User:
    """Give a user a role and its scope: admin roles get staff access, every scoped role its group."""
    user.role = role
    user.unit = unit
    user.is_staff = user.is_superuser or role in ADMIN_ROLES
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        groups = {r: Group.objects.filter(name=role_group_name(r)).first() for r in SCOPED_ROLES}
        if not all(groups.values()):
            groups = role_groups_sync()
        user.groups.remove(*groups.values())
        if role in groups:
            user.groups.add(groups[role])
    return user
