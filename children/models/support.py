"""Support a child or a commune received, and sponsorships by donors."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link
from fund_portal.scope import ScopedModel

from .child import Child


class SupportKind(models.TextChoices):
    CASH = "cash", _("Cash")
    GIFT = "gift", _("Gift")
    HEALTH_CHECK = "health_check", _("Health check")
    MEDICAL_COSTS = "medical_costs", _("Medical costs")
    NUTRITION = "nutrition", _("School meals and nutrition")
    WARM_CLOTHES = "warm_clothes", _("Warm clothes")
    SCHOLARSHIP = "scholarship", _("Scholarship")
    SCHOOL_SUPPLIES = "school_supplies", _("School supplies")
    LEGAL_AID = "legal_aid", _("Legal aid")
    COUNSELLING = "counselling", _("Counselling")
    PLAY_EQUIPMENT = "play_equipment", _("Play equipment (commune)")
    OTHER = "other", _("Other")


class SupportSource(models.TextChoices):
    FUND = "fund", _("The fund")
    STATE_BUDGET = "state_budget", _("State budget")
    DONOR = "donor", _("A donor directly")
    CAMPAIGN = "campaign", _("A campaign")
    SPONSORSHIP = "sponsorship", _("Sponsorship")


class Sponsorship(ScopedModel):
    """A donor sponsors (đỡ đầu) a child for a period, with a monthly amount or goods."""

    donor = models.ForeignKey(
        "donations.Donor", verbose_name=_("sponsor"), on_delete=models.PROTECT, related_name="sponsorships"
    )
    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="sponsorships"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    monthly_amount = models.BigIntegerField(_("monthly amount (đồng)"), null=True, blank=True)
    goods = models.CharField(_("goods"), max_length=255, blank=True)
    token = models.UUIDField(_("progress page key"), default=uuid.uuid4, unique=True, editable=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = account_field(_("created by"), null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    scope_lookup = "child__commune"

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_amount__isnull=True) | Q(monthly_amount__gt=0),
                name="sponsorship_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="sponsorship_ends_after_start",
                violation_error_message=_("The sponsorship ends before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.donor} → {self.child_id}"


class Support(ScopedModel):
    """Support a child (or, for play equipment and the like, a commune) received."""

    child = optional_link(Child, _("child"), related_name="supports")
    commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("type"), max_length=20, choices=SupportKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    value = models.BigIntegerField(_("value (đồng)"), default=0)
    delivered_on = models.DateField(_("delivered on"))
    source = models.CharField(_("source"), max_length=16, choices=SupportSource.choices)
    campaign = optional_link("campaigns.Campaign", _("campaign"), related_name="supports")
    sponsorship = optional_link(Sponsorship, _("sponsorship"), related_name="deliveries")
    disbursement = optional_link("donations.Disbursement", _("fund disbursement"), related_name="supports")
    donor = optional_link("donations.Donor", _("donor"), related_name="supports")
    handed_over_by = models.CharField(_("handed over by"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = account_field(_("recorded by"), null=True, editable=False)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_lookup = "commune"
    scope_village_lookup = "child__village"

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        ordering = ["-delivered_on", "-id"]
        indexes = [
            models.Index(fields=["child", "kind", "delivered_on"], name="support_child_kind_idx"),
            models.Index(fields=["commune", "delivered_on"], name="support_commune_date_idx"),
            models.Index(fields=["campaign", "kind"], name="support_campaign_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="support_value_not_negative"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="support_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(source="sponsorship") | Q(sponsorship__isnull=False),
                name="support_sponsorship_named",
                violation_error_message=_("A delivery of a sponsorship names the sponsorship."),
            ),
            models.CheckConstraint(
                condition=~Q(source="campaign") | Q(campaign__isnull=False),
                name="support_campaign_named",
                violation_error_message=_("Support from a campaign names the campaign."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.delivered_on:%d/%m/%Y}"
