"""The care of a child: needs found in the yearly assessment, the yearly review and the weights of
the priority formula."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from donations.models import NeedArea
from fund_portal.fields import account_field
from fund_portal.scope import ScopedModel

from .child import Child


class PriorityWeight(models.Model):
    """One weight of the priority formula (see `children.priority`), editable by staff as data: with no
    fund, the deployment's default set; with a fund, that fund's own weight for the factor, which
    overrides the default for the children the fund governs (`donations.selectors.funds`)."""

    fund = models.ForeignKey(
        "donations.Fund",
        verbose_name=_("fund"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="priority_weights",
        help_text=_("Empty: the default weight, for every fund without its own."),
    )
    factor = models.CharField(_("factor"), max_length=40)
    weight = models.IntegerField(_("weight"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("priority weight")
        verbose_name_plural = _("priority weights")
        ordering = ["fund", "factor"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "factor"],
                name="priority_weight_once_per_fund",
                violation_error_message=_("This fund already has its own weight for this factor."),
            ),
            models.UniqueConstraint(
                fields=["factor"],
                condition=Q(fund__isnull=True),
                name="priority_weight_default_once",
                violation_error_message=_("The default set already has a weight for this factor."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.factor} = {self.weight}"


class Urgency(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class Need(ScopedModel):
    """A need found in a child's yearly assessment: an area of support and how urgent it is."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="needs")
    year = models.PositiveSmallIntegerField(_("year"))
    area = models.CharField(_("area"), max_length=20, choices=NeedArea.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = account_field(_("assessed by"), null=True)

    scope_lookup = "child__commune"
    scope_village_lookup = "child__village"

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-year", "-urgency", "area"]
        constraints = [models.UniqueConstraint(fields=["child", "year", "area"], name="need_once_a_year")]
        indexes = [models.Index(fields=["year", "area", "urgency"], name="need_year_area_idx")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.year} {self.area}"


class ReviewOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed unchanged")
    UPDATED = "updated", _("Updated")


class Review(ScopedModel):
    """The yearly review (rà soát) of a child by the commune."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="reviews"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = account_field(_("reviewed by"), null=True)

    scope_lookup = "child__commune"
    scope_village_lookup = "child__village"

    class Meta:
        verbose_name = _("yearly review")
        verbose_name_plural = _("yearly reviews")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["child", "year"], name="review_once_a_year")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.year}"


class NeedCount(models.Model):
    """The needs of a commune's children in one area and year, counted (the public needs page): kept
    by the database as needs and children change (`children.needs_sql`), never written by the code."""

    commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # leads need_count_unique
        # No database constraint: the triggers write here as needs are deleted, and a flush that
        # empties the units first (SQLite's tests, in any order) must not fail at its commit.
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    area = models.CharField(_("area"), max_length=20, choices=NeedArea.choices)
    needs = models.IntegerField(_("needs"), default=0)
    shown = models.IntegerField(
        _("needs shown"), default=0, help_text=_("Of active children whose data consent stands.")
    )

    class Meta:
        verbose_name = _("needs count")
        verbose_name_plural = _("needs counts")
        constraints = [models.UniqueConstraint(fields=["commune", "year", "area"], name="need_count_unique")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.year} {self.area}: {self.shown}/{self.needs}"
