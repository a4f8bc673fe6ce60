"""Campaigns and events of the fund: recurring festivals made from templates, ad-hoc calls, their
events, and the gift lists (danh sách nhận quà) handed out at an event.

Writes go through `campaigns.services`; reads of progress through `campaigns.selectors`.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from children.models import SupportKind
from fund_portal.fields import account_field, optional_link
from fund_portal.scope import ScopedModel


class CampaignKind(models.TextChoices):
    ACTION_MONTH = "action_month", _("Children's Action Month")
    CHILDRENS_DAY = "childrens_day", _("International Children's Day")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    LUNAR_NEW_YEAR = "lunar_new_year", _("Lunar New Year")
    DAY_FOR_THE_POOR = "day_for_the_poor", _("Day for the Poor")
    ONE_DAY_SALARY = "one_day_salary", _("One-day-salary drive")
    AD_HOC = "ad_hoc", _("Other campaign")


class DateRule(models.TextChoices):
    SOLAR = "solar", _("Solar calendar day and month")
    LUNAR = "lunar", _("Lunar calendar day and month")


class CampaignTemplate(ScopedModel):
    """A recurring campaign (Tết Trung thu, Tháng hành động vì trẻ em...) that comes back every year.

    Its key date is a day and month of the solar calendar (1/6, 17/10) or of the Vietnamese lunar
    calendar (15/8 âm lịch, 1/1 âm lịch, computed at UTC+7 by `campaigns.lunar`); the campaign runs
    from `days_before` that date to `days_after` it.

    A template without a unit belongs to the national calendar (`campaigns.national_calendar`: 1/6,
    Children's Action Month, Trung thu, Tết, 17/10), which a migration ships with every install and
    only a national administrator (superuser) changes. It makes no campaign itself, since a campaign
    needs an organising unit. A fund's unit takes the national calendar up with
    `campaign_templates_adopt`: each national template of a kind the unit has no template of is
    copied to the unit, and the unit's staff then edit their copies (period, target, description) or
    switch them off. A unit's own template of a kind stands in for the national one, and a later
    change to the national calendar does not reach the copies: a fund's calendar is its own, and the
    national one is the starting point. The address prefix is unique among the units' templates (a
    campaign's address is the prefix and the year) and among the national ones, so the first unit
    to take up a template keeps its plain prefix (tet-trung-thu) and the others add their code.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices)
    name_pattern = models.CharField(
        _("name pattern"),
        max_length=200,
        help_text=_("The campaign's name; {year} is replaced by the year, e.g. “Tết Trung thu {year}”."),
    )
    slug_prefix = models.SlugField(
        _("address prefix"),
        max_length=100,
        help_text=_("The campaign's address is the prefix and the year, e.g. trung-thu-2026."),
    )
    date_rule = models.CharField(
        _("date rule"), max_length=8, choices=DateRule.choices, default=DateRule.SOLAR
    )
    day = models.PositiveSmallIntegerField(_("day"))
    month = models.PositiveSmallIntegerField(_("month"))
    days_before = models.PositiveSmallIntegerField(_("days before"), default=0)
    days_after = models.PositiveSmallIntegerField(_("days after"), default=0)
    unit = optional_link(
        "fund_portal.AdministrativeUnit",
        _("organising unit"),
        related_name="campaign_templates",
        help_text=_("Empty for the national calendar, which only a national administrator changes."),
    )
    target_amount = models.BigIntegerField(_("target (đồng)"), default=0)
    target_supports = models.PositiveIntegerField(_("target (supports)"), default=0)
    target_support_kind = models.CharField(
        _("type of support targeted"), max_length=20, choices=SupportKind.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("shown on the public site"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("recurring campaign")
        verbose_name_plural = _("recurring campaigns")
        ordering = ["month", "day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12, day__gte=1)
                & (Q(date_rule="solar", day__lte=31) | Q(date_rule="lunar", day__lte=30)),
                name="campaign_template_day_month_valid",
                violation_error_message=_("The day or the month does not exist."),
            ),
            models.CheckConstraint(
                condition=Q(target_amount__gte=0), name="campaign_template_target_not_negative"
            ),
            models.UniqueConstraint(
                fields=["slug_prefix"],
                condition=Q(unit__isnull=False),
                name="campaign_template_prefix_unique",
                violation_error_message=_("Another recurring campaign already has this address prefix."),
            ),
            models.UniqueConstraint(
                fields=["slug_prefix"],
                condition=Q(unit__isnull=True),
                name="campaign_template_national_prefix_unique",
                violation_error_message=_(
                    "Another template of the national calendar already has this address prefix."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name_pattern.replace("{year}", "").strip()


class Campaign(ScopedModel):
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
    template = optional_link(
        CampaignTemplate, _("made from the recurring campaign"), related_name="campaigns"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Empty: the year it starts.")
    )
    participating_communes = models.ManyToManyField(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("participating communes"),
        blank=True,
        related_name="participating_campaigns",
    )
    target_supports = models.PositiveIntegerField(_("target (supports)"), default=0)
    target_support_kind = models.CharField(
        _("type of support targeted"), max_length=20, choices=SupportKind.choices, blank=True
    )

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
            models.UniqueConstraint(
                fields=["template", "year"],
                condition=Q(template__isnull=False),
                name="campaign_once_a_year_per_template",
                violation_error_message=_("This recurring campaign already has a campaign that year."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "year"], name="campaign_kind_year_idx")]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    LAUNCH = "launch", _("Launch ceremony")
    EXCHANGE = "exchange", _("Exchange between donors and children")
    OTHER = "other", _("Other event")


class CampaignEvent(ScopedModel):
    """An event of a campaign: its launch ceremony (lễ phát động), an exchange (giao lưu) between donor
    businesses and children, a gift-giving; with its date, time and place."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices, default=EventKind.OTHER)
    name = models.CharField(_("name"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    scope_lookup = "campaign__unit"

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return self.name


class GiftListStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    HANDED_OVER = "handed_over", _("Handed over")


class GiftList(ScopedModel):
    """The list of children to receive a gift at a campaign's event (danh sách nhận quà), chosen by
    priority within a budget or a count; handing it over records each child's support."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="gift_lists"
    )
    event = optional_link(CampaignEvent, _("event"), related_name="gift_lists")
    kind = models.CharField(_("type of support"), max_length=20, choices=SupportKind.choices)
    value_per_child = models.BigIntegerField(_("value per child (đồng)"))
    budget = models.BigIntegerField(_("budget (đồng)"), null=True, blank=True)
    count = models.PositiveIntegerField(_("number of children"), null=True, blank=True)
    communes = models.ManyToManyField(
        "fund_portal.AdministrativeUnit", verbose_name=_("communes"), related_name="+"
    )
    # The age band of a programme (pre-school, primary...): children of these ages, in whole years, on
    # `ages_on` (the event's day, else the campaign's first day), both ends included; empty: any age.
    min_age = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    ages_on = models.DateField(_("ages counted on"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=GiftListStatus.choices, default=GiftListStatus.DRAFT
    )
    created_by = account_field(_("created by"), null=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True, editable=False)
    handed_over_by = account_field(_("handover recorded by"), null=True, blank=True, editable=False)

    scope_lookup = "campaign__unit"

    class Meta:
        verbose_name = _("gift list")
        verbose_name_plural = _("gift lists")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value_per_child__gt=0), name="gift_list_value_positive"),
            models.CheckConstraint(
                condition=Q(budget__isnull=False) | Q(count__isnull=False),
                name="gift_list_budget_or_count",
                violation_error_message=_("Give the budget or the number of children."),
            ),
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__gt=0), name="gift_list_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=F("max_age")),
                name="gift_list_age_band_in_order",
                violation_error_message=_("The youngest age is above the oldest."),
            ),
            models.CheckConstraint(
                condition=(Q(min_age__isnull=True) | Q(min_age__lte=15))
                & (Q(max_age__isnull=True) | Q(max_age__lte=15)),
                name="gift_list_ages_of_children",
                violation_error_message=_("A child is 0 to 15 years old."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_kind_display()} #{self.pk}"


class GiftListEntry(ScopedModel):
    """A child on a gift list; the support record is made at the handover (none while pending, none
    for a child who was absent)."""

    gift_list = models.ForeignKey(
        GiftList, verbose_name=_("gift list"), on_delete=models.CASCADE, related_name="entries"
    )
    child = models.ForeignKey(
        "children.Child", verbose_name=_("child"), on_delete=models.PROTECT, related_name="gift_list_entries"
    )
    commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.BigIntegerField(_("value (đồng)"))
    position = models.PositiveIntegerField(_("no."))
    support = models.OneToOneField(
        "children.Support",
        verbose_name=_("support recorded"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gift_list_entry",
    )
    absent = models.BooleanField(_("absent at the handover"), default=False)

    scope_lookup = "commune"

    class Meta:
        verbose_name = _("child on a gift list")
        verbose_name_plural = _("children on a gift list")
        ordering = ["gift_list", "position"]
        constraints = [
            models.UniqueConstraint(fields=["gift_list", "child"], name="gift_list_child_once"),
            models.UniqueConstraint(fields=["gift_list", "position"], name="gift_list_position_once"),
            models.CheckConstraint(
                condition=Q(support__isnull=True) | Q(absent=False), name="gift_entry_absent_has_no_support"
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="gift_entry_value_positive"),
        ]
        indexes = [models.Index(fields=["commune", "gift_list"], name="gift_entry_commune_idx")]

    def __str__(self) -> str:
        return f"{self.position}. {self.child}"

    @property
    def is_pending(self) -> bool:
        return self.support_id is None and not self.absent
