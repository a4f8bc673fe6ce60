"""The registry of children in special circumstances (cơ sở dữ liệu trẻ em).

The most sensitive data of the portal. Every query starts from `Child.objects.visible_to(user)`
(scope by commune); sensitive groups and health notes are shown only with the permission
`children.view_sensitive`; every view of a child's page and every export is written to
`AccessLog`. Writes go through `children.services`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from donations.models import NeedArea
from fund_portal.images import CleanImageField
from fund_portal.scope import ScopedQuerySet


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Poverty(models.TextChoices):
    NONE = "none", _("Neither")
    POOR = "poor", _("Poor household")
    NEAR_POOR = "near_poor", _("Near-poor household")


class ChildStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED = "moved", _("Moved away")
    AGED_OUT = "aged_out", _("Aged out (16 or older)")
    DECEASED = "deceased", _("Deceased")
    MERGED = "merged", _("Merged into another record")


#: The fields of a child's record an officer keeps (form, edit, import): not status, consent or priority.
RECORD_FIELDS = (
    "full_name",
    "birth_date",
    "sex",
    "ethnicity",
    "personal_id",
    "commune",
    "village",
    "address",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "poverty",
    "poverty_year",
    "school",
    "grade",
    "out_of_school",
    "disability_type",
    "disability_severity",
    "health_notes",
)


class ChildQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=ChildStatus.ACTIVE)


class Child(models.Model):
    """A child (a person under 16) of the commune's list, with household, schooling and health."""

    full_name = models.CharField(_("full name"), max_length=120)
    name_folded = models.CharField(_("name without diacritics"), max_length=120, editable=False)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, default="01")
    #: Unique by a constraint in Meta (child_personal_id_unique), not unique=True: that would add a
    #: second (LIKE) index on PostgreSQL. NULL when unknown, so those never meet in the constraint.
    personal_id = models.CharField(  # noqa: DJ001
        _("personal identification number"),
        max_length=12,
        null=True,
        blank=True,
        help_text=_("Mã định danh cá nhân: 12 digits."),
    )
    commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="children_registered",
        db_index=False,  # child_commune_name_idx and child_commune_priority_idx start with it
    )
    village = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # looked up by it only when a unit is deleted (PROTECT); lists go by commune
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    guardian_name = models.CharField(_("guardian"), max_length=120, blank=True)
    guardian_relationship = models.CharField(_("relationship to the child"), max_length=60, blank=True)
    guardian_phone = models.CharField(_("guardian's phone"), max_length=20, blank=True)
    poverty = models.CharField(
        _("household poverty status"), max_length=10, choices=Poverty.choices, default=Poverty.NONE
    )
    poverty_year = models.PositiveSmallIntegerField(_("year certified"), null=True, blank=True)
    school = models.CharField(_("school"), max_length=200, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    out_of_school = models.BooleanField(_("out of school"), default=False)
    disability_type = models.CharField(_("disability"), max_length=120, blank=True)
    disability_severity = models.CharField(_("severity of disability"), max_length=60, blank=True)
    health_notes = models.TextField(_("health notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ChildStatus.choices, default=ChildStatus.ACTIVE
    )
    photo = CleanImageField(_("photo"), upload_to="children/photos/%Y/", blank=True)
    story = models.TextField(
        _("anonymised story"),
        blank=True,
        help_text=_(
            "Shown publicly only while the guardian consents, as first-name initial, age and commune."
        ),
    )
    data_consent = models.BooleanField(_("guardian consents to keeping the data"), default=False)
    story_consent = models.BooleanField(_("guardian consents to an anonymised public story"), default=False)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consent recorded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # looked up by it only when a user is deleted (PROTECT)
    )
    consent_recorded_at = models.DateTimeField(
        _("consent recorded at"), null=True, blank=True, editable=False
    )
    #: Set when the guardian withdraws the data consent (Decree 13/2023, Articles 12 and 14): the record
    #: stays for the commune's legal duty of protection, but leaves every sponsor, donor and public
    #: page and every export. Set and cleared only by `consent_set`; `ConsentChange` keeps the history.
    data_restricted = models.BooleanField(
        _("processing restricted (data consent withdrawn)"),
        default=False,
        db_default=False,  # the import's COPY leaves the column out
        editable=False,
    )
    priority_score = models.IntegerField(_("priority score (computed)"), default=0, editable=False)
    priority_override = models.IntegerField(_("priority set by hand"), null=True, blank=True)
    priority_override_reason = models.CharField(
        _("reason for the priority set by hand"), max_length=255, blank=True
    )
    priority = models.IntegerField(
        _("priority"),
        default=0,
        editable=False,
        help_text=_("The score set by hand if any, else the computed one."),
    )
    #: The priority that orders the commune's list for a user without `children.view_sensitive`: every
    #: restricted group counted as the heaviest sensitive group (`children.priority`). Kept with the score.
    priority_visible = models.IntegerField(
        _("priority without the sensitive weights"), default=0, editable=False
    )
    last_reviewed_year = models.PositiveSmallIntegerField(
        _("last reviewed in"), null=True, blank=True, editable=False
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_records",
        db_index=False,  # child_merged_idx: only the merged records
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # looked up by it only when a user is deleted (PROTECT)
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ChildQuerySet.as_manager()

    scope_lookup = "commune"

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["name_folded", "id"]
        permissions = [("view_sensitive", _("Can see sensitive groups and health notes of children"))]
        indexes = [
            # The columns the district's duplicate search reads ride along (PostgreSQL): it reads the
            # district's 58,000 children from this index alone, not from 19,000 pages of the table.
            models.Index(
                fields=["commune", "name_folded", "id"],
                include=["birth_date", "personal_id", "status"],
                name="child_commune_name_idx",
            ),
            models.Index(fields=["name_folded", "birth_date"], name="child_duplicate_idx"),
            models.Index(fields=["birth_date", "commune"], name="child_birth_commune_idx"),
            models.Index(fields=["commune", "-priority", "id"], name="child_commune_priority_idx"),
            models.Index(fields=["commune", "-priority_visible", "id"], name="child_commune_visible_idx"),
            models.Index(
                fields=["last_reviewed_year"],
                condition=Q(last_reviewed_year__isnull=False),
                name="child_reviewed_idx",
            ),
            models.Index(
                fields=["merged_into"], condition=Q(merged_into__isnull=False), name="child_merged_idx"
            ),
            models.Index(
                fields=["-updated_at"],
                condition=Q(story_consent=True, data_consent=True),
                name="child_public_story_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["personal_id"], name="child_personal_id_unique"),
            models.CheckConstraint(
                condition=Q(personal_id__isnull=True) | Q(personal_id__regex=r"^[0-9]{12}$"),
                name="child_personal_id_12_digits",
                violation_error_message=_("The personal identification number has 12 digits."),
            ),
            models.CheckConstraint(
                condition=Q(data_restricted=False) | Q(data_consent=False, story_consent=False),
                name="child_restricted_has_no_consent",
                violation_error_message=_("A record whose data consent was withdrawn has no consent."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("children:detail", kwargs={"pk": self.pk})

    def get_additional_data(self) -> dict:
        return {"unit_id": self.commune_id}


class Circumstance(models.Model):
    """A group of Article 10 of the Law on Children (a subgroup of Decree 56/2017) that applies to a child."""

    child = models.ForeignKey(
        Child,
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="circumstances",
        db_index=False,  # circumstance_once starts with it
    )
    group = models.CharField(_("group"), max_length=8)
    subgroup = models.CharField(_("subgroup"), max_length=12, blank=True)
    identified_on = models.DateField(_("identified on"))
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "child__commune"

    class Meta:
        verbose_name = _("special circumstance")
        verbose_name_plural = _("special circumstances")
        constraints = [
            models.UniqueConstraint(fields=["child", "group", "subgroup"], name="circumstance_once")
        ]

    def __str__(self) -> str:
        return f"{self.child}: {self.group}"

    def get_additional_data(self) -> dict:
        return {"unit_id": self.child.commune_id}


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed a child's page")
    EXPORT = "export", _("Exported children")
    SENSITIVE = "sensitive", _("Viewed sensitive data")


class AccessLog(models.Model):
    """Who looked at or exported which children, when, and why (for exports)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    child = models.ForeignKey(
        Child,
        verbose_name=_("child"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="access_logs",
    )
    child_ids = models.JSONField(_("children (ids)"), default=list, blank=True)
    children_count = models.PositiveIntegerField(_("children"), default=1)
    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("unit"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("access to children's data")
        verbose_name_plural = _("access to children's data")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.at:%d/%m/%Y %H:%M}"


class ChildStatusChange(models.Model):
    """The history of a child's status: registered, moved away, aged out, deceased, merged."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="status_changes"
    )
    status_from = models.CharField(_("from"), max_length=10, choices=ChildStatus.choices, blank=True)
    status_to = models.CharField(_("to"), max_length=10, choices=ChildStatus.choices)
    on = models.DateField(_("on"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # looked up by it only when a user is deleted (PROTECT)
    )
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "child__commune"

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.status_from} → {self.status_to}"


class ConsentChange(models.Model):
    """The history of a guardian's consents: what was recorded, by whom, when (Decree 13/2023 keeps the
    proof of consent and of its withdrawal)."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="consent_changes"
    )
    data_consent = models.BooleanField(_("guardian consents to keeping the data"))
    story_consent = models.BooleanField(_("guardian consents to an anonymised public story"))
    withdrawn = models.BooleanField(
        _("data consent withdrawn"),
        default=False,
        help_text=_("The data consent given before was withdrawn."),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # looked up by it only when a user is deleted (PROTECT)
    )
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "child__commune"

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.data_consent}/{self.story_consent}"


class PriorityWeight(models.Model):
    """One weight of the priority formula (see `children.priority`), editable by staff as data."""

    factor = models.CharField(_("factor"), max_length=40, unique=True)
    weight = models.IntegerField(_("weight"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("priority weight")
        verbose_name_plural = _("priority weights")
        ordering = ["factor"]

    def __str__(self) -> str:
        return f"{self.factor} = {self.weight}"


class Urgency(models.IntegerChoices):
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")


class Need(models.Model):
    """A need found in a child's yearly assessment: an area of support and how urgent it is."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="needs")
    year = models.PositiveSmallIntegerField(_("year"))
    area = models.CharField(_("area"), max_length=20, choices=NeedArea.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    assessed_on = models.DateField(_("assessed on"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "child__commune"

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-year", "-urgency", "area"]
        constraints = [models.UniqueConstraint(fields=["child", "year", "area"], name="need_once_a_year")]
        indexes = [models.Index(fields=["year", "area", "urgency"], name="need_year_area_idx")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.year} {self.area}"

    def get_additional_data(self) -> dict:
        return {"unit_id": self.child.commune_id}


class ReviewOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed unchanged")
    UPDATED = "updated", _("Updated")


class Review(models.Model):
    """The yearly review (rà soát) of a child by the commune."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="reviews"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "child__commune"

    class Meta:
        verbose_name = _("yearly review")
        verbose_name_plural = _("yearly reviews")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["child", "year"], name="review_once_a_year")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.year}"


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


class Sponsorship(models.Model):
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

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

    def get_additional_data(self) -> dict:
        return {"unit_id": self.child.commune_id}


class Support(models.Model):
    """Support a child (or, for play equipment and the like, a commune) received."""

    child = models.ForeignKey(
        Child,
        verbose_name=_("child"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supports",
    )
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
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supports",
    )
    sponsorship = models.ForeignKey(
        Sponsorship,
        verbose_name=_("sponsorship"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    disbursement = models.ForeignKey(
        "donations.Disbursement",
        verbose_name=_("fund disbursement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supports",
    )
    donor = models.ForeignKey(
        "donations.Donor",
        verbose_name=_("donor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supports",
    )
    handed_over_by = models.CharField(_("handed over by"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "commune"

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

    def get_additional_data(self) -> dict:
        return {"unit_id": self.commune_id}


class IncidentKind(models.TextChoices):
    ABUSE = "abuse", _("Abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    VIOLENCE = "violence", _("Violence")
    EXPLOITATION = "exploitation", _("Exploitation (child labour)")
    TRAFFICKING = "trafficking", _("Trafficking")
    INJURY = "injury", _("Injury (accident)")
    DROWNING = "drowning", _("Drowning")
    OTHER = "other", _("Other")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Awaiting intervention")
    INTERVENED = "intervened", _("Intervened")
    CLOSED = "closed", _("Closed")


class Incident(models.Model):
    """An incident (vụ việc) involving a child, recorded by the commune; visible only with the
    sensitive permission. An urgent one must be acted on within 12 hours (Decree 56/2017)."""

    commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    child = models.ForeignKey(
        Child,
        verbose_name=_("child"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    child_description = models.CharField(
        _("child, if not registered"), max_length=255, blank=True, help_text=_("Age, sex; no name needed.")
    )
    kind = models.CharField(_("type"), max_length=16, choices=IncidentKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    reported_at = models.DateTimeField(_("reported at"))
    urgent = models.BooleanField(_("urgent"), default=False)
    description = models.TextField(_("what happened"))
    actions = models.TextField(_("what was done"), blank=True)
    intervened_at = models.DateTimeField(_("intervened at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    notified_at = models.DateTimeField(
        _("district notified at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the fund staff were emailed about this urgent incident."),
    )

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "commune"

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-reported_at"]
        indexes = [models.Index(fields=["status", "urgent", "reported_at"], name="incident_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%d/%m/%Y}"

    def get_additional_data(self) -> dict:
        return {"unit_id": self.commune_id}


class DuplicateDismissal(models.Model):
    """District staff checked two records and found two different children: not listed again."""

    child_a = models.ForeignKey(
        Child, verbose_name=_("first child"), on_delete=models.CASCADE, related_name="+"
    )
    child_b = models.ForeignKey(
        Child, verbose_name=_("second child"), on_delete=models.CASCADE, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("checked at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_lookup = "child_a__commune"

    class Meta:
        verbose_name = _("checked pair (not a duplicate)")
        verbose_name_plural = _("checked pairs (not duplicates)")
        constraints = [
            models.UniqueConstraint(fields=["child_a", "child_b"], name="dismissal_once"),
            models.CheckConstraint(condition=Q(child_a__lt=F("child_b")), name="dismissal_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.child_a_id} ≠ {self.child_b_id}"


class DuplicateAlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Seen by whoever sees `unit` (the lowest unit over both records): the officer who typed the
        details does not see the other record, and an alert across provinces (no unit) is the fund's,
        seen by superusers only — not by every district's staff, as a unit-less record would be."""
        from fund_portal.scope import visible_unit_ids

        ids = visible_unit_ids(user)
        if ids is None:
            return self.all()
        return self.filter(unit__in=ids)


class DuplicateAlert(models.Model):
    """A registration that matched a record outside the officer's scope. The officer is told only that a
    likely duplicate exists elsewhere; staff of the lowest unit over both records check it."""

    existing = models.ForeignKey(
        Child, verbose_name=_("record already registered"), on_delete=models.CASCADE, related_name="+"
    )
    registered = models.ForeignKey(
        Child,
        verbose_name=_("record registered anyway"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("checked by the staff of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("commune registering"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    full_name = models.CharField(_("full name typed"), max_length=120)
    birth_date = models.DateField(_("date of birth typed"))
    personal_id = models.CharField(_("personal identification number typed"), max_length=12, blank=True)
    reason = models.CharField(_("reason"), max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("typed by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    objects = DuplicateAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("likely duplicate outside the officer's unit")
        verbose_name_plural = _("likely duplicates outside the officer's unit")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(
                fields=["unit", "-at"], condition=Q(checked_at__isnull=True), name="dupalert_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ~ {self.existing_id}"
