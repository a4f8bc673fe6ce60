"""Writes of campaigns: a campaign's rules and saving it."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.public_cache import public_cache_bump_on_commit
from fund_portal.text import fold, normalize_text


def slug_from(text: str) -> str:
    """A URL slug from Vietnamese text: "Tết Trung thu 2026" -> "tet-trung-thu-2026"."""
    words = "".join(ch if ch.isalnum() else " " for ch in fold(text)).split()
    return "-".join(words)[:120]


def _units_visible(by) -> Iterable[int] | None:
    if by is None:  # the system (a Celery task): no scope to apply
        return None
    return AdministrativeUnit.objects.visible_to(by).values("pk")


def campaign_check(*, campaign: Campaign, by, communes: Iterable[AdministrativeUnit] | None = None) -> None:
    """The rules of a campaign: an organising unit within the user's scope, an end not before the
    start, a target not negative, and participating communes that are communes under the organising
    unit and within the user's scope. `by` None is the system (a Celery task)."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    visible = _units_visible(by)
    if campaign.unit_id is None:
        refuse("unit", _("Choose the organising unit."))
    elif (
        visible is not None
        and not AdministrativeUnit.objects.filter(pk=campaign.unit_id, pk__in=visible).exists()
    ):
        refuse("unit", _("This unit is outside your scope."))
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        refuse("ends_on", _("A campaign cannot end before it starts."))
    if campaign.target_amount is not None and campaign.target_amount < 0:
        refuse("target_amount", _("The target cannot be negative."))
    communes = list(communes or [])
    if communes and campaign.unit_id:
        unit = AdministrativeUnit.objects.get(pk=campaign.unit_id)
        allowed = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, path__startswith=unit.path)
        if visible is not None:
            allowed = allowed.filter(pk__in=visible)
        allowed_ids = set(allowed.filter(pk__in=[c.pk for c in communes]).values_list("pk", flat=True))
        outside = [c.name for c in communes if c.pk not in allowed_ids]
        if outside:
            refuse(
                "participating_communes",
                _("Not a commune of the organising unit within your scope: %(names)s.")
                % {"names": ", ".join(outside)},
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@requires(Action.CAMPAIGN_MANAGE)
def campaign_save(
    *, campaign: Campaign, by, communes: Iterable[AdministrativeUnit] | None = None
) -> Campaign:
    """Create or change a campaign (see `campaign_check`). `communes`, when given, replaces its
    participating communes. An empty slug is made from the name; an empty year is the start's."""
    campaign.name = normalize_text(campaign.name)
    if not campaign.slug:
        campaign.slug = slug_from(campaign.name)
    communes = list(communes) if communes is not None else None
    campaign_check(campaign=campaign, by=by, communes=communes)
    if not campaign.year and campaign.starts_on:
        campaign.year = campaign.starts_on.year
    campaign.full_clean(exclude=["participating_communes"])
    campaign.save()
    public_cache_bump_on_commit(unit_ids=[campaign.unit_id])  # its funds' campaign pages show it at once
    if communes is not None:
        campaign.participating_communes.set(communes)
    return campaign
