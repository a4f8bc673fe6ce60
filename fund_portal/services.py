"""Writes of the portal's core: the administrative tree, accounts and roles."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .authority import APP_LABEL, actions_of
from .bulk import analyze
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


def _units_changed(unit_ids: list[int]) -> None:
    """Tell the apps that units' flags or places changed (`UNIT_CHANGED_HOOKS`: a child's priority
    counts its commune's flags, and its fund is the nearest one above it)."""
    for path in settings.UNIT_CHANGED_HOOKS:
        import_string(path)(unit_ids=unit_ids)


def unit_save(*, unit: AdministrativeUnit) -> AdministrativeUnit:
    """Validate a unit's place in the tree, derive its path, and save it with its subtree's paths."""
    _check_place(unit=unit, parent=unit.parent)
    flags = ("is_especially_difficult", "is_ethnic_mountainous")
    before = AdministrativeUnit.objects.filter(pk=unit.pk).values_list(*flags).first() if unit.pk else None
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
        moved = bool(old_path) and old_path != unit.path
        if before is not None and (moved or before != tuple(getattr(unit, flag) for flag in flags)):
            pk = unit.pk
            transaction.on_commit(lambda: _units_changed([pk]), robust=True)
    return unit


#: The whole country's two-level tree since 1 July 2025 (34 provinces, 3,321 communes), generated
#: once by `scripts/generate_unit_fixtures.py` from the statistics office's published list.
NATIONAL_FILE = DATA_DIR / "units_vn_2025.json"

#: The keys a row of a units file has; the flags are optional.
UNIT_ROW_KEYS = frozenset({"code", "name", "level", "parent"})
UNIT_FLAGS = ("is_especially_difficult", "is_ethnic_mountainous")


def _unit_row_check(*, number: int, row) -> None:
    """A row is {code, name, level, parent[, flags]}: text code and name, a known level."""
    if (
        not isinstance(row, dict)
        or not UNIT_ROW_KEYS <= row.keys()
        or not isinstance(row["code"], str)
        or not row["code"].strip()
        or not isinstance(row["name"], str)
        or not row["name"].strip()
        or not (row["parent"] is None or isinstance(row["parent"], str))
    ):
        raise ValidationError(
            _("Row %(number)s is not a unit: it needs a code, a name, a level and a parent code.")
            % {"number": number}
        )
    if row["level"] not in UnitLevel.values:
        raise ValidationError(
            _("Unit %(code)s has an unknown level %(level)s; the levels are %(levels)s.")
            % {"code": row["code"], "level": row["level"], "levels": ", ".join(UnitLevel.values)}
        )


def units_clashing(*, rows: list[dict]) -> list[dict]:
    """The rows that would change the shape of the tree in the database: a unit already there under a
    parent of another level (a commune of the three-level tree, under its district, that the two-level
    tree puts under the province), or with another level. The statistics office gave each merged
    commune of 2025 the code of one of the old communes, so one province's two trees share codes."""
    by_code = {
        code: (level, parent_level)
        for code, level, parent_level in AdministrativeUnit.objects.values_list(
            "code", "level", "parent__level"
        )
    }
    levels = {row["code"]: row["level"] for row in rows}
    clashing = []
    for row in rows:
        if row["code"] not in by_code:
            continue
        level, parent_level = by_code[row["code"]]
        parent = row["parent"]
        new_parent_level = levels.get(parent) or (by_code[parent][0] if parent in by_code else None)
        if level != row["level"] or (parent is not None and parent_level != new_parent_level):
            clashing.append(row)
    return clashing


def _shape_error(clashing: list[dict]) -> ValidationError:
    return ValidationError(
        _(
            "%(count)s units are already in the database in another shape of the tree, e.g. "
            "%(code)s %(name)s; a load does not change the shape of the tree. Nothing was loaded."
        )
        % {"count": len(clashing), "code": clashing[0]["code"], "name": clashing[0]["name"]}
    )


def _unit_differs(*, unit: AdministrativeUnit, fields: dict) -> bool:
    """Whether a row changes a unit (the parent compared by id: no query per unit)."""
    parent = fields["parent"]
    if unit.parent_id != (parent.pk if parent else None):
        return True
    return any(getattr(unit, key) != value for key, value in fields.items() if key != "parent")


def _unit_new(*, code: str, fields: dict) -> AdministrativeUnit:
    """A new unit of a load, checked like `unit_save` (its parent is at hand: no query per unit)."""
    unit = AdministrativeUnit(code=code, **fields)
    parent = fields["parent"]
    try:
        _check_place(unit=unit, parent=parent)
        unit.path = f"{parent.path if parent else ''}{unit.code}/"
        unit.clean_fields(exclude=["parent"])
    except ValidationError as error:
        raise ValidationError(
            _("Unit %(code)s: %(problem)s") % {"code": code, "problem": " ".join(error.messages)}
        ) from error
    return unit


def units_load(*, rows: Iterable[dict]) -> tuple[int, int]:
    """Create or update units from rows {code, name, level, parent[, flags]}, all or nothing.

    New units are checked like `unit_save` and inserted in bulk, a level at a time; changed
    ones go through `unit_save` (a unit may move to another parent of the same level). A load never
    changes the shape of the tree (`units_clashing`); flags a row does not name are left as they are.
    Returns (created, updated); the same rows again change nothing. After a load that changed
    something, the units' planner statistics are refreshed (PostgreSQL).
    """
    rows = list(rows)
    for number, row in enumerate(rows, start=1):
        _unit_row_check(number=number, row=row)
    clashing = units_clashing(rows=rows)
    if clashing:
        raise _shape_error(clashing)
    created = updated = 0
    by_code = {u.code: u for u in AdministrativeUnit.objects.all()}
    by_level: dict[str, list[dict]] = {level: [] for level in UnitLevel.values}
    for row in rows:
        by_level[row["level"]].append(row)
    with transaction.atomic():
        for level_rows in by_level.values():
            new_units = []
            for row in level_rows:
                parent = by_code.get(row["parent"]) if row["parent"] else None
                if row["parent"] and parent is None:
                    raise ValidationError(
                        _("Unit %(code)s names an unknown parent %(parent)s.")
                        % {"code": row["code"], "parent": row["parent"]}
                    )
                fields = {"name": row["name"], "level": row["level"], "parent": parent}
                fields |= {flag: bool(row[flag]) for flag in UNIT_FLAGS if flag in row}
                unit = by_code.get(row["code"])
                if unit is None:
                    unit = _unit_new(code=row["code"], fields=fields)
                    new_units.append(unit)
                    by_code[unit.code] = unit
                elif _unit_differs(unit=unit, fields=fields):
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
    if created or updated:
        # Every scoped query joins the units (by path prefix): without statistics, until autovacuum
        # comes by, the planner guesses their number and hashes the whole table for each join.
        analyze(AdministrativeUnit)
    return created, updated


def units_read_file(*, path: Path) -> list[dict]:
    """The rows of a units file: a JSON list of {code, name, level, parent[, flags]}.

    Raises OSError when the file cannot be read, ValidationError when it is not such a list."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        rows = json.loads(text)
    except ValueError as error:
        raise ValidationError(
            _("%(file)s is not valid JSON (line %(line)s): a units file is a list of units.")
            % {"file": Path(path).name, "line": getattr(error, "lineno", "?")}
        ) from error
    if not isinstance(rows, list):
        raise ValidationError(_("%(file)s is not a list of units.") % {"file": Path(path).name})
    return rows


def units_load_file(*, path: Path) -> tuple[int, int]:
    return units_load(rows=units_read_file(path=path))


@dataclass
class NationalLoad:
    created: int
    updated: int
    provinces: int
    communes: int
    #: Provinces left as they are: the database holds them in another shape (`units_clashing`).
    kept: list[str]


def units_load_national(*, province: str | None = None) -> NationalLoad:
    """Load the national two-level tree (`NATIONAL_FILE`), or one province of it, all or nothing.

    A province the database already holds in another shape (the three-level Thanh Hóa of the demo)
    is left as it is and named in `kept`; asked for by its code, it is refused instead."""
    rows = units_read_file(path=NATIONAL_FILE)
    for number, row in enumerate(rows, start=1):
        _unit_row_check(number=number, row=row)
    by_province: dict[str, list[dict]] = {}
    for row in rows:
        by_province.setdefault(row["parent"] or row["code"], []).append(row)
    if province is not None:
        if province not in by_province:
            raise ValidationError(
                _("No province of the national list has the code %(code)s.") % {"code": province}
            )
        by_province = {province: by_province[province]}
    clashing = units_clashing(rows=[row for group in by_province.values() for row in group])
    kept = sorted({row["parent"] or row["code"] for row in clashing})
    if province is not None and kept:
        raise _shape_error(clashing)
    wanted = [row for code, group in by_province.items() if code not in kept for row in group]
    created, updated = units_load(rows=wanted)
    return NationalLoad(
        created=created,
        updated=updated,
        provinces=sum(1 for row in wanted if row["level"] == UnitLevel.PROVINCE),
        communes=sum(1 for row in wanted if row["level"] == UnitLevel.COMMUNE),
        kept=[by_province[code][0]["name"] for code in kept],
    )


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
