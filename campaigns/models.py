"""Campaigns and events of the fund (the campaigns issue builds on this)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fund_portal.scope import ScopedQuerySet


class CampaignKind(models.TextChoices):
    ACTION_MONTH = "action_month", _("Children's Action Month")
    CHILDRENS_DAY = "childrens_day", _("International Children's Day")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    LUNAR_NEW_YEAR = "lunar_new_year", _("Lunar New Year")
    DAY_FOR_THE_POOR = "day_for_the_poor", _("Day for the Poor")
    ONE_DAY_SALARY = "one_day_salary", _("One-day-salary drive")
    AD_HOC = "ad_hoc", _("Other campaign")


class Campaign(models.Model):
    """A call for support with a period and a target, run by a unit (Tết Trung thu 2026, flood relief...)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.AD_HOC
    )
    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("organising unit"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    target_amount = models.BigIntegerField(_("target (đồng)"), default=0)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("shown on the public site"), default=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("A campaign cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(target_amount__gte=0),
                name="campaign_target_not_negative",
                violation_error_message=_("The target cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"unit_id": self.unit_id}
