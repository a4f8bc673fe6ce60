"""Plans and their targets per unit and year, and the child population the rates are counted over."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fund_portal.scope import ScopedModel


class Indicator(models.TextChoices):
    """What a plan sets targets for, as the report's table of results against the plan shows it."""

    SPECIAL_SUPPORTED = "special_supported", _("Children in special circumstances supported (%)")
    POOR_SUPPORTED = "poor_supported", _("Children of poor and near-poor households supported (%)")
    HEALTH_CHECKED = (
        "health_checked",
        _("Pre-school and primary children of difficult communes health-checked (%)"),
    )
    NUTRITION = "nutrition", _("Pre-school and primary children of difficult communes given nutrition (%)")
    PLAY_EQUIPMENT = "play_equipment", _("Communes given play equipment (communes, to date)")

    @classmethod
    def is_count(cls, value: str) -> bool:
        """A count of the unit's own (14 communes of the district), not a rate: it is not passed down."""
        return value == cls.PLAY_EQUIPMENT


class Plan(ScopedModel):
    """A unit's programme over several years (the province's programme for 2026–2030) and its targets."""

    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    name = models.CharField(_("name"), max_length=255)
    first_year = models.PositiveSmallIntegerField(_("from year"))
    last_year = models.PositiveSmallIntegerField(_("to year"))
    is_active = models.BooleanField(_("active"), default=True)

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans and targets")
        ordering = ["-last_year", "unit__path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")),
                name="plan_years_in_order",
                violation_error_message=_("The plan ends before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.first_year}–{self.last_year})"


class PlanTarget(ScopedModel):
    """One target of a plan: an indicator's value for a unit (the plan's or one under it), for one year of
    the plan or (year empty) every year. A rate set for a unit holds for the units under it that have
    none of their own; a count holds for its unit only."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="plan_targets",
        help_text=_("The unit the target is set for: the plan's own unit or one under it."),
    )
    indicator = models.CharField(_("indicator"), max_length=30, choices=Indicator.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Empty: every year.")
    )
    value = models.PositiveIntegerField(
        _("target"), help_text=_("A percentage (0–100), or a number of communes.")
    )

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["unit__path", "indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit", "indicator", "year"], name="plan_target_once_per_year"
            ),
            models.UniqueConstraint(
                fields=["plan", "unit", "indicator"],
                condition=Q(year__isnull=True),
                name="plan_target_once_for_every_year",
            ),
            models.CheckConstraint(
                condition=~Q(indicator="play_equipment") & Q(value__lte=100) | Q(indicator="play_equipment"),
                name="plan_target_rate_at_most_100",
                violation_error_message=_("A percentage is at most 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()}: {self.value}"


class Population(ScopedModel):
    """How many children a unit has, from the statistics office or the commune's own count (not the
    registry, which holds only the children the fund looks after): the denominators of coverage."""

    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="populations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    children_under_16 = models.PositiveIntegerField(_("children under 16"), null=True, blank=True)
    children_under_6 = models.PositiveIntegerField(_("children under 6"), null=True, blank=True)
    children_poor = models.PositiveIntegerField(
        _("children of poor and near-poor households"), null=True, blank=True
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("E.g. Chi cục Thống kê, 2026.")
    )

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("child population")
        verbose_name_plural = _("child population (denominators)")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="population_once_per_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"
