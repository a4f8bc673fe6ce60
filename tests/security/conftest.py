"""The demo data set with a commune whose records another commune's officer must never reach.

Commune B is Xã Dân Lý (its officer canbo.danly, and the volunteer of its Thôn 1, congtacvien.danly);
the attackers are the officer of Xã Hợp Thành (canbo.hopthanh), a volunteer of a village of Hợp Thành,
the demo donor (nhahaotam) and an anonymous visitor.
"""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services.gift_lists import gift_list_build
from children.models import (
    Child,
    ChildTransfer,
    Circumstance,
    IncidentKind,
    Need,
    Review,
    Sponsorship,
    Support,
)
from children.services.incidents import incident_record
from children.services.transfers import child_transfer_request
from donations.models import DisplayPreference, Donor, Fund
from donations.services.donations import donation_create, donation_post
from fund_portal.demo import DEMO_PASSWORD, seed_demo
from fund_portal.models import AdministrativeUnit, User
from reports.models import Cadence
from reports.services.reports import report_build, report_kind_for

COMMUNE_B = "15703"  # Xã Dân Lý
SECRET_DONOR = "Bà Kín Đáo Dân Lý"
SECRET_INCIDENT = "Em bị đánh ở nhà văn hoá thôn 3, chỉ cán bộ Dân Lý được đọc"


@dataclass
class World:
    commune_b: AdministrativeUnit
    officer_a: User
    officer_b: User
    #: The demo volunteer of Thôn 1 of commune B: they reach only that village's children.
    volunteer_b: User
    donor: User
    district_staff: User
    #: Strings that only commune B's officer and the district may read.
    secrets: set[str]
    #: Ids of commune B's records, tried in every integer of every URL.
    ids: list[int]
    tokens: list[str]
    slugs: list[str]
    codes: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    #: A request of commune B to move one of its children to a third commune (neither A nor B).
    transfer_id: int = 0


def scoped_counts() -> dict[str, object]:
    """How many scoped records there are, and when commune B's children and reports last changed."""
    from django.db.models import Max

    from donations.models import Donation, LedgerEntry
    from reports.models import Report

    models = (
        Child,
        ChildTransfer,
        Circumstance,
        Need,
        Review,
        Support,
        Sponsorship,
        Donation,
        LedgerEntry,
        Donor,
        Report,
    )
    return {model._meta.label: model.objects.count() for model in models} | {
        "children of B changed": Child.objects.filter(commune__code=COMMUNE_B).aggregate(Max("updated_at")),
        "transfers of B": list(
            ChildTransfer.objects.filter(from_commune__code=COMMUNE_B).values_list("status", "decided_at")
        ),
        "reports of B": list(
            Report.objects.filter(unit__code=COMMUNE_B).values_list(
                "status", "results", "built_at", "submitted_at"
            )
        ),
    }


@pytest.fixture
def world(db) -> World:
    seed_demo()
    commune_b = AdministrativeUnit.objects.get(code=COMMUNE_B)
    officer_a = User.objects.get(username="canbo.hopthanh")
    officer_b = User.objects.get(username="canbo.danly")
    district_staff = User.objects.get(username="canbo.huyen")
    donor = User.objects.get(username="nhahaotam")
    today = timezone.localdate()

    children_b = list(Child.objects.filter(commune=commune_b).order_by("pk"))
    for index, child in enumerate(children_b):
        Child.objects.filter(pk=child.pk).update(personal_id=f"038212{index:06d}")
    fund_b = Fund.objects.get(code=f"qbtte-{COMMUNE_B}")
    donation_b = donation_post(
        donation=donation_create(
            fund=fund_b,
            amount=1_234_000,
            received_on=today,
            by=officer_b,
            donor_name=SECRET_DONOR,
            display_preference=DisplayPreference.ANONYMOUS,
        ),
        by=officer_b,
    )
    incident_b = incident_record(
        by=officer_b,
        commune=commune_b,
        kind=IncidentKind.VIOLENCE,
        occurred_at=timezone.now() - dt.timedelta(hours=3),
        description=SECRET_INCIDENT,
        child=children_b[0],
    )
    report_b = report_build(
        kind=report_kind_for(cadence=Cadence.SEMIANNUAL, unit=commune_b),
        unit=commune_b,
        year=today.year - 1,
        by=officer_b,
        render=False,
    )
    campaign = Campaign.objects.get(slug=f"tet-trung-thu-{today.year}")
    campaign.participating_communes.add(commune_b)
    gift_list = gift_list_build(
        campaign=campaign, by=district_staff, kind="gift", value=100_000, count=5, communes=[commune_b]
    )
    gift_lists = [gift_list.pk]
    third_commune = (
        AdministrativeUnit.objects.communes().exclude(pk__in=[commune_b.pk, officer_a.unit_id]).first()
    )
    transfer_b = child_transfer_request(
        child=children_b[1], to_commune=third_commune, reason="Gia đình chuyển nhà", by=officer_b
    )

    # A child's name is a secret unless someone else legitimately bears it (a donor, a child elsewhere).
    elsewhere = set(Child.objects.exclude(commune=commune_b).values_list("full_name", flat=True))
    public_names = set(Donor.objects.exclude(name=SECRET_DONOR).values_list("name", flat=True))
    names = {c.full_name for c in children_b} - elsewhere - public_names
    assert len(names) >= 5
    secrets = names | {f"038212{i:06d}" for i in range(len(children_b))} | {SECRET_DONOR, SECRET_INCIDENT}

    child = children_b[0]
    ids = [
        child.pk,
        commune_b.pk,
        fund_b.pk,
        donation_b.pk,
        incident_b.pk,
        report_b.pk,
        transfer_b.pk,
        *gift_lists,
        *Circumstance.objects.filter(child__commune=commune_b).values_list("pk", flat=True)[:1],
        *Support.objects.filter(child__commune=commune_b).values_list("pk", flat=True)[:1],
        *Need.objects.filter(child__commune=commune_b).values_list("pk", flat=True)[:1],
        *Review.objects.filter(child__commune=commune_b).values_list("pk", flat=True)[:1],
    ]
    tokens = [
        str(t) for t in Sponsorship.objects.filter(child__commune=commune_b).values_list("token", flat=True)
    ]
    world = World(
        commune_b=commune_b,
        officer_a=officer_a,
        officer_b=officer_b,
        volunteer_b=User.objects.get(username="congtacvien.danly"),
        donor=donor,
        district_staff=district_staff,
        secrets=secrets,
        ids=sorted(set(ids)),
        tokens=tokens,
        slugs=list(Campaign.objects.values_list("slug", flat=True)[:2]),
        codes=[COMMUNE_B, "x"],
        transfer_id=transfer_b.pk,
    )
    world.counts = scoped_counts()
    return world


__all__ = ["DEMO_PASSWORD", "World", "scoped_counts"]
