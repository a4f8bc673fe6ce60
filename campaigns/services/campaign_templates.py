"""Writes of recurring campaigns: their rules, saving them, and making each year's campaign from them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from campaigns import lunar
from campaigns.models import Campaign, CampaignTemplate, DateRule
from campaigns.national_calendar import NATIONAL_CALENDAR
from campaigns.services.campaigns import _units_visible, campaign_save
from fund_portal.authority import Action, requires
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.scope import sees_everything
from fund_portal.text import normalize_text

#: How long before its start a recurring campaign is made by the daily task.
TEMPLATE_LEAD_DAYS = 90


def campaign_template_check(*, template: CampaignTemplate, by) -> None:
    """The rules of a recurring campaign: an organising unit within the user's scope, and a key date
    that comes back every year, since the daily task makes each year's campaign from it (`template_date`).
    A solar date must exist in a common year (not 29/2, 31/4); a lunar month may have 29 days, so
    the 30th is refused. A template of the national calendar (no unit, or none before this change)
    is changed only by the system or a superuser. `by` None is the system."""
    errors: dict[str, list[str]] = {}
    visible = _units_visible(by)
    if by is not None and not sees_everything(by) and _is_national(template):
        errors["unit"] = [
            _(
                "The national calendar is changed only by a national administrator: take it up for "
                "your unit and change your unit's copy."
            )
        ]
    elif (
        template.unit_id is not None
        and visible is not None
        and not AdministrativeUnit.objects.filter(pk=template.unit_id, pk__in=visible).exists()
    ):
        errors["unit"] = [_("This unit is outside your scope.")]
    if template.day and template.month:
        if template.date_rule == DateRule.LUNAR:
            exists = 1 <= template.month <= 12 and 1 <= template.day <= 29
        else:
            try:
                dt.date(2026, template.month, template.day)  # a common year
                exists = True
            except ValueError:
                exists = False
        if not exists:
            errors["day"] = [
                _("%(day)s/%(month)s does not come back every year; choose a date that does.")
                % {"day": template.day, "month": template.month}
            ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@requires(Action.CAMPAIGN_MANAGE)
def campaign_template_save(*, template: CampaignTemplate, by) -> CampaignTemplate:
    """Create or change a recurring campaign (see `campaign_template_check`)."""
    template.name_pattern = normalize_text(template.name_pattern)
    campaign_template_check(template=template, by=by)
    template.full_clean()
    template.save()
    return template


def _is_national(template: CampaignTemplate) -> bool:
    """Whether a template is, or was until this change, one of the national calendar."""
    if template.unit_id is None:
        return True
    return bool(template.pk) and CampaignTemplate.objects.filter(pk=template.pk, unit__isnull=True).exists()


def national_calendar_ensure() -> list[CampaignTemplate]:
    """Write the templates of the national calendar that are missing (migration 0004 ships them; a
    database emptied since, as the demo may find, gets them back). Edited ones are left as they are.
    Returns those written."""
    made = []
    for entry in NATIONAL_CALENDAR:
        if not CampaignTemplate.objects.filter(unit=None, slug_prefix=entry["slug_prefix"]).exists():
            made.append(CampaignTemplate.objects.create(unit=None, **entry))
    return made


def _unit_prefix(*, prefix: str, unit: AdministrativeUnit) -> str:
    """The national prefix if no unit's template has it yet, else the prefix and the unit's code."""
    taken = CampaignTemplate.objects.filter(unit__isnull=False)
    candidate, n = prefix, 2
    if taken.filter(slug_prefix=candidate).exists():
        candidate = base = slugify(f"{prefix}-{unit.code}")
        while taken.filter(slug_prefix=candidate).exists():
            candidate, n = f"{base}-{n}", n + 1
    return candidate


@transaction.atomic
@requires(Action.CAMPAIGN_MANAGE)
def campaign_templates_adopt(
    *, unit: AdministrativeUnit, by, templates: Iterable[CampaignTemplate] | None = None
) -> list[CampaignTemplate]:
    """Take up the national calendar (or the given templates of it) for a unit: each national template
    of a kind the unit has no template of is copied to the unit, for its staff to edit (see
    `CampaignTemplate`). Idempotent: a kind the unit has is skipped. Returns the copies made."""
    national = CampaignTemplate.objects.filter(unit__isnull=True, is_active=True).order_by("month", "day")
    if templates is not None:
        national = national.filter(pk__in=[t.pk for t in templates])
    held = set(CampaignTemplate.objects.filter(unit=unit).values_list("kind", flat=True))
    copies = []
    for template in national:
        if template.kind in held:
            continue
        copy = CampaignTemplate(
            **{
                field.name: getattr(template, field.name)
                for field in CampaignTemplate._meta.concrete_fields
                if not field.primary_key and field.name != "unit"
            },
            unit=unit,
        )
        copy.slug_prefix = _unit_prefix(prefix=template.slug_prefix, unit=unit)
        campaign_template_check(template=copy, by=by)
        copy.full_clean()
        copy.save()
        held.add(copy.kind)
        copies.append(copy)
    return copies


def template_date(*, template: CampaignTemplate, year: int) -> dt.date:
    """The key date of a recurring campaign in a year: solar day/month, or lunar day/month at UTC+7."""
    if template.date_rule == DateRule.LUNAR:
        return lunar.lunar_to_solar(year, template.month, template.day)
    try:
        return dt.date(year, template.month, template.day)
    except ValueError as error:
        raise ValidationError(
            _("%(day)s/%(month)s does not exist in %(year)s.")
            % {"day": template.day, "month": template.month, "year": year}
        ) from error


def _free_slug(base: str) -> str:
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
@requires(Action.CAMPAIGN_MANAGE)
def campaigns_from_templates(
    *,
    year: int,
    templates: Iterable[CampaignTemplate] | None = None,
    starting_before: dt.date | None = None,
    by=None,
) -> list[Campaign]:
    """Make the year's campaign of each active recurring campaign that has none yet (idempotent: a
    template makes one campaign a year, enforced by a unique constraint too). With `starting_before`,
    only those that start before that day. The campaign's participating communes are all the communes
    under the organising unit; staff narrow them afterwards. Returns the campaigns made."""
    if templates is None:
        templates = CampaignTemplate.objects.filter(is_active=True, unit__isnull=False)
        if by is not None:
            templates = templates.visible_to(by)
    made = []
    # The national calendar makes no campaign: a unit takes it up (`campaign_templates_adopt`).
    for template in CampaignTemplate.objects.select_for_update().filter(
        pk__in=[t.pk for t in templates], is_active=True, unit__isnull=False
    ):
        if Campaign.objects.filter(template=template, year=year).exists():
            continue
        day = template_date(template=template, year=year)
        starts_on = day - dt.timedelta(days=template.days_before)
        if starting_before is not None and starts_on > starting_before:
            continue
        campaign = Campaign(
            name=template.name_pattern.replace("{year}", str(year)),
            slug=_free_slug(f"{template.slug_prefix}-{year}"),
            kind=template.kind,
            unit=template.unit,
            starts_on=starts_on,
            ends_on=day + dt.timedelta(days=template.days_after),
            target_amount=template.target_amount,
            target_supports=template.target_supports,
            target_support_kind=template.target_support_kind,
            description=template.description,
            is_public=template.is_public,
            template=template,
            year=year,
        )
        communes = AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, path__startswith=template.unit.path
        )
        made.append(campaign_save(campaign=campaign, by=by, communes=communes))
    return made


def campaigns_due(*, today: dt.date | None = None) -> list[Campaign]:
    """The daily run: the campaigns of this year and next that start within TEMPLATE_LEAD_DAYS."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=TEMPLATE_LEAD_DAYS)
    made = []
    for year in (today.year, today.year + 1):
        made += campaigns_from_templates(year=year, starting_before=horizon)
    return made
