"""The large children data set for benchmarks: `seed_demo --children N` (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from donations.demo import GIVEN, MIDDLE, SURNAMES
from donations.models import Donor, NeedArea
from donations.services.donors import donor_save
from fund_portal.bulk import analyze, bulk_load, next_ids
from fund_portal.demo import DEMO_COMMUNES
from fund_portal.models import AdministrativeUnit, UnitLevel, User
from fund_portal.text import fold

from .imports.child_load import CHILD_COLUMNS, CIRCUMSTANCE_COLUMNS
from .models import Child, ChildStatus, Circumstance, Need, Support
from .priority import priority_contexts, priority_recompute, priority_score, weights_ensure, weights_visible
from .province_sql import provinces_of
from .reference.circumstances import SPECIAL_CIRCUMSTANCES
from .reference.ethnic import ETHNIC_SHARES
from .services.care import needs_assess, review_record
from .services.registry import child_register
from .services.support import sponsorship_start, support_record
from .services.transfers import child_transfer_request

NEED_COLUMNS = ["child_id", "year", "area", "urgency", "note", "assessed_on"]
SUPPORT_COLUMNS = [
    "child_id",
    "commune_id",
    "kind",
    "quantity",
    "value",
    "delivered_on",
    "source",
    "handed_over_by",
    "note",
    "recorded_at",
]
SUPPORT_KINDS = [
    "cash",
    "gift",
    "health_check",
    "nutrition",
    "warm_clothes",
    "scholarship",
    "school_supplies",
]
SUPPORT_SOURCES = ["fund", "fund", "state_budget", "donor"]
CHUNK = 200_000


def seed_children(
    *,
    count: int,
    seed: int = 2016,
    under: AdministrativeUnit | None = None,
    registered_at: dt.datetime | None = None,
    commune_weights: dict[int, float] | None = None,
) -> int:
    """Add `count` active children over the communes of the tree (or of `under`'s subtree), with groups,
    this year's needs (two in five children) and a support received this year (one in two), as the
    reports count them; registered now, or at `registered_at` (a report counts the children on the
    list at its period's end). Communes are drawn evenly, or by `commune_weights` ({commune id: weight},
    a commune not named weighs nothing)."""

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    units = (
        AdministrativeUnit.objects.filter(path__startswith=under.path)
        if under
        else AdministrativeUnit.objects
    )
    communes = list(units.filter(level=UnitLevel.COMMUNE).values_list("pk", "path"))
    cumulative = (
        list(itertools.accumulate(commune_weights.get(pk, 0.0) for pk, _path in communes))
        if commune_weights
        else None
    )
    villages: dict[int, list[int]] = {}
    for pk, parent_id in units.filter(level=UnitLevel.VILLAGE).values_list("pk", "parent_id"):
        villages.setdefault(parent_id, []).append(pk)
    codes, shares = zip(*ETHNIC_SHARES.items(), strict=True)
    groups = [g.code for g in SPECIAL_CIRCUMSTANCES]
    weights_ensure()
    contexts = priority_contexts(commune_ids=[pk for pk, _path in communes])
    shown_weights = {pk: weights_visible(context.weights) for pk, context in contexts.items()}
    provinces = provinces_of(pk for pk, _path in communes)
    with transaction.atomic():
        ids = next_ids(Child._meta.db_table, count)
        rows, circumstances, needs, supports = [], [], [], []
        areas = NeedArea.values
        # Every column of the importer's COPY, with what a new record holds; each row sets its own.
        blank = {column: "" for column in CHILD_COLUMNS} | {
            "personal_id": None,
            "out_of_school": False,
            "status": "active",
            "story_consent": False,
            "consent_recorded_by_id": None,
            "consent_recorded_at": None,
            "priority_override": None,
            "last_reviewed_year": None,
            "merged_into_id": None,
            "created_by_id": None,
            "created_at": registered_at or now,
            "updated_at": now,
        }
        year_start = dt.date(today.year, 1, 1)
        days_this_year = (today - year_start).days
        for index, child_id in enumerate(ids, start=1):
            commune_id, _path = (
                rng.choices(communes, cum_weights=cumulative)[0] if cumulative else rng.choice(communes)
            )
            sex = rng.choice(("male", "female"))
            middle = "Thị" if sex == "female" else rng.choice(MIDDLE)
            name = f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN)}"
            village = rng.choice(villages[commune_id]) if commune_id in villages else None
            poverty = rng.choices(("none", "poor", "near_poor"), (70, 18, 12))[0]
            child_groups, child_needs = [], []
            if rng.random() < 0.35:
                group = rng.choice(groups)
                circumstances.append(
                    (child_id, group, "", today - dt.timedelta(days=rng.randint(1, 900)), "")
                )
                child_groups.append(group)
            if rng.random() < 0.4:
                for area in rng.sample(areas, rng.choice((1, 1, 2))):
                    urgency = rng.randint(1, 3)
                    needs.append((child_id, today.year, area, urgency, "", year_start))
                    child_needs.append((area, urgency))
            context = contexts[commune_id]
            factors = {"groups": child_groups, "poverty": poverty, "needs": child_needs, **context.flags}
            score = priority_score(weights=context.weights, **factors)
            if rng.random() < 0.5:
                supports.append(
                    (
                        child_id,
                        commune_id,
                        rng.choice(SUPPORT_KINDS),
                        1,
                        rng.randint(1, 10) * 100_000,
                        year_start + dt.timedelta(days=rng.randint(0, days_this_year)),
                        rng.choice(SUPPORT_SOURCES),
                        "",
                        "",
                        now,
                    )
                )
            record = {
                **blank,
                "id": child_id,
                "full_name": name,
                "name_folded": fold(name),
                "birth_date": today - dt.timedelta(days=rng.randint(30, 15 * 365)),
                "sex": sex,
                "ethnicity": rng.choices(codes, shares)[0],
                "commune_id": commune_id,
                "province_id": provinces[commune_id],
                "village_id": village,
                "poverty": poverty,
                "poverty_year": today.year - 1 if poverty != "none" else None,
                "data_consent": True,
                "priority_score": score,
                "priority": score,
                "priority_visible": priority_score(weights=shown_weights[commune_id], **factors),
            }
            rows.append(tuple(record[column] for column in CHILD_COLUMNS))
            if index % CHUNK == 0 or index == count:  # in chunks, so a million children fit in memory
                bulk_load(Child._meta.db_table, CHILD_COLUMNS, rows)
                bulk_load(Circumstance._meta.db_table, CIRCUMSTANCE_COLUMNS, circumstances)
                bulk_load(Need._meta.db_table, NEED_COLUMNS, needs)
                bulk_load(Support._meta.db_table, SUPPORT_COLUMNS, supports)
                rows, circumstances, needs, supports = [], [], [], []
    analyze(Child, Circumstance, Need, Support)
    return count


def demo_seed(per_commune: int = 10) -> None:
    """A few children in each demo commune, registered by its officer, with groups, this year's needs,
    some support and reviews; Nhà hảo tâm sponsors one child of Dân Lý; one child of Hợp Thành is
    moving to Dân Lý, waiting for Dân Lý's officer to accept it. District staff (canbo.huyen) get the
    permission to see sensitive data, so the demo shows both sides of it."""

    if Child.objects.exists():
        return
    rng = random.Random(16)
    today = timezone.localdate()
    district_staff = User.objects.get(username="canbo.huyen")
    district_staff.user_permissions.add(Permission.objects.get(codename="view_sensitive"))
    codes, weights = zip(*ETHNIC_SHARES.items(), strict=True)
    first = None
    for code, (login, *_flags) in DEMO_COMMUNES.items():
        officer = User.objects.get(username=login)
        villages = list(AdministrativeUnit.objects.filter(parent__code=code))
        for index in range(per_commune):
            sex = rng.choice(["male", "female"])
            middle = "Thị" if sex == "female" else rng.choice(MIDDLE)
            full_name = f"{rng.choice(SURNAMES)} {middle} {rng.choice(GIVEN)}"
            if first is None:  # the README's example: "nguyen van anh" finds him
                sex, full_name = "male", "Nguyễn Văn Anh"
            child = child_register(
                by=officer,
                confirm_not_duplicate=True,
                full_name=full_name,
                birth_date=today - dt.timedelta(days=rng.randint(200, 15 * 365)),
                sex=sex,
                ethnicity=rng.choices(codes, weights)[0],
                commune=officer.unit,
                village=rng.choice(villages),
                poverty=rng.choice(["none", "none", "poor", "near_poor"]),
                poverty_year=today.year - 1,
                data_consent=True,
            )
            # Registered over the last two years, not today: a report counts the children on the list
            # at its period's end. Every fifth one is new, registered in the last weeks.
            days_ago = rng.randint(1, 40) if index % 5 == 4 else rng.randint(200, 730)
            registered = max(child.birth_date, today - dt.timedelta(days=days_ago))
            Child.objects.filter(pk=child.pk).update(
                created_at=timezone.make_aware(dt.datetime.combine(registered, dt.time(9)))
            )
            first = first or child
            if rng.random() < 0.5:
                group = rng.choice(SPECIAL_CIRCUMSTANCES)
                Circumstance.objects.create(
                    child=child, group=group.code, identified_on=today - dt.timedelta(days=90)
                )
            if index % 2 == 0:
                areas = rng.sample(NeedArea.values, 2)
                needs_assess(
                    child=child,
                    by=officer,
                    year=today.year,
                    on=today.replace(month=1, day=15),
                    needs={area: (rng.randint(1, 3), "") for area in areas},
                )
            if index % 3 == 0:
                support_record(
                    by=officer,
                    child=child,
                    kind=rng.choice(["warm_clothes", "school_supplies", "health_check", "gift"]),
                    value=rng.choice([200_000, 300_000, 500_000]),
                    delivered_on=today - dt.timedelta(days=rng.randint(1, 120)),
                    source="fund",
                    handed_over_by=str(officer),
                )
            if index % 4 == 0:
                review_record(child=child, by=officer, note="Gia đình vẫn ở địa chỉ cũ.")
    priority_recompute()
    account = User.objects.get(username="nhahaotam")
    donor = Donor.objects.filter(user=account).first() or donor_save(
        donor=Donor(
            unit=district_staff.unit,
            name=account.get_full_name(),
            user=account,
            email=account.email,
        )
    )
    if first is not None:
        sponsorship = sponsorship_start(
            by=district_staff,
            donor=donor,
            child=first,
            starts_on=today.replace(day=1) - dt.timedelta(days=60),
            monthly_amount=500_000,
        )
        for months_ago in (2, 1):
            support_record(
                by=district_staff,
                child=first,
                kind="cash",
                value=500_000,
                delivered_on=today.replace(day=1) - dt.timedelta(days=30 * months_ago - 5),
                source="sponsorship",
                sponsorship=sponsorship,
            )

    _demo_transfer()


#: The demo's child on the move: from the commune of this officer to the commune of that one.
DEMO_TRANSFER = ("canbo.hopthanh", "canbo.danly")


def _demo_transfer() -> None:
    """A transfer request waiting for the receiving commune's decision, made through the service."""
    sender, receiver = (User.objects.get(username=login) for login in DEMO_TRANSFER)
    child = Child.objects.filter(commune=sender.unit, status=ChildStatus.ACTIVE).order_by("pk").first()
    if child is not None:
        child_transfer_request(
            child=child,
            to_commune=receiver.unit,
            reason="Gia đình chuyển về sống cùng ông bà ngoại ở xã Dân Lý.",
            by=sender,
        )
