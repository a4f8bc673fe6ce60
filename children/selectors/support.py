"""Reads of support and sponsorship: a child's supports, a sponsor's progress page, a donor's
sponsorships."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Child, ChildStatus, Sponsorship, Support, SupportKind
from .registry import child_needs


def child_supports(*, child: Child) -> list[Support]:
    return list(
        child.supports.select_related("campaign", "disbursement", "sponsorship__donor").order_by(
            "-delivered_on", "-id"
        )
    )


def child_support_totals(*, child: Child) -> dict:
    return child.supports.aggregate(count=Count("pk"), value=Coalesce(Sum("value"), 0))


def sponsorship_progress(*, token) -> dict | None:
    """What a sponsor sees of the child they sponsor: no name, no address, no ID, no sensitive group;
    the photo and the story only while the guardian consents to showing them."""
    sponsorship = Sponsorship.objects.select_related("child__commune", "donor").filter(token=token).first()
    if sponsorship is None or sponsorship.child.status == ChildStatus.MERGED:
        return None
    if sponsorship.child.data_restricted:  # the guardian withdrew the data consent: nothing is shown
        return None
    child = sponsorship.child
    from ..services.registry import age_on

    deliveries = list(
        sponsorship.deliveries.order_by("-delivered_on").values("kind", "quantity", "value", "delivered_on")
    )
    kinds = dict(SupportKind.choices)
    consented = child.story_consent and child.data_consent
    _year, needs = child_needs(child=child)
    return {
        "sponsorship": sponsorship,
        "initial": public_initial(child.full_name),
        "age": age_on(child.birth_date, timezone.localdate()),
        "sex": child.get_sex_display(),
        "commune": child.commune.name,
        "active": child.status == ChildStatus.ACTIVE,
        "story": child.story if consented else "",
        "photo": child.photo if consented and child.photo else None,
        "deliveries": [{**row, "kind_label": kinds.get(row["kind"], row["kind"])} for row in deliveries],
        "delivered_value": sum(row["value"] for row in deliveries),
        "needs": [need.get_area_display() for need in needs],
    }


def donor_sponsorships(*, user):
    """The sponsorships of the donor this account belongs to, newest first (for /donate/mine/)."""
    return Sponsorship.objects.filter(donor__user=user).select_related("child").order_by("-starts_on")


def public_initial(full_name: str) -> str:
    """The first-name initial a public page may show ("Nguyễn Văn An" → "A."): Vietnamese names put the
    given name last."""
    parts = full_name.split()
    return f"{parts[-1][0].upper()}." if parts else ""
