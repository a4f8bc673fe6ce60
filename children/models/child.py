"""The child's record: the child, the groups (special circumstances) that apply, and the history of
status and consent."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import account_field, optional_link
from fund_portal.images import CleanImageField
from fund_portal.links import reverse_with_id
from fund_portal.scope import ScopedModel, ScopedQuerySet


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
    #: The communes a list in name order is the whole of (`by_communes`), or empty.
    _communes: tuple[int, ...] = ()

    def active(self):
        return self.filter(status=ChildStatus.ACTIVE)

    def by_communes(self, communes) -> "ChildQuerySet":
        """This list, known to lie in `communes` (its scope's): `children_page` reads its page commune
        by commune. Kept by every later filter and slice, as Django keeps a queryset's own state."""
        clone = self._chain()
        clone._communes = tuple(sorted(communes or ()))
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._communes = self._communes
        return clone


class Child(ScopedModel):
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
    village = optional_link(
        "fund_portal.AdministrativeUnit",
        _("village"),
        related_name="+",
        db_index=False,  # child_village_name_idx: a village volunteer's list goes by village
    )
    #: The province at the head of the commune's path, kept by the database (`children.province_sql`):
    #: a province's list is one range of `child_province_name_idx`.
    province = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("province"),
        on_delete=models.DO_NOTHING,
        related_name="+",
        null=True,
        editable=False,
        db_constraint=False,
        db_index=False,  # child_province_name_idx starts with it
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
    consent_recorded_by = account_field(
        _("consent recorded by"),
        null=True,
        blank=True,
        editable=False,
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
    merged_into = optional_link(
        "self",
        _("merged into"),
        editable=False,
        related_name="merged_records",
        db_index=False,  # child_merged_idx: only the merged records
    )
    created_by = account_field(
        _("created by"),
        null=True,
        editable=False,
        db_index=False,  # looked up by it only when a user is deleted (PROTECT)
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ChildQuerySet.as_manager()

    scope_lookup = "commune"
    scope_village_lookup = "village"

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["name_folded", "id"]
        permissions = [("view_sensitive", _("Can see sensitive groups and health notes of children"))]
        indexes = [
            # The columns the district's duplicate search reads ride along (PostgreSQL): it reads the
            # district's 58,000 children from this index alone, not from 19,000 pages of the table. So
            # do the list's filters of household, review and age: a district's or a province's list,
            # read commune by commune (`children.selectors.registry.children_page`), filters each
            # commune's names in order without reading the table.
            models.Index(
                fields=["commune", "name_folded", "id"],
                include=["birth_date", "personal_id", "status", "poverty", "last_reviewed_year"],
                name="child_commune_name_idx",
            ),
            # A village volunteer's list (`fund_portal.scope`, rule 8): their village's children by name.
            models.Index(
                fields=["village", "name_folded", "id"],
                condition=Q(village__isnull=False),
                name="child_village_name_idx",
            ),
            models.Index(fields=["name_folded", "birth_date"], name="child_duplicate_idx"),
            # The admin's list in its order (the model's ordering), the commune riding along: its pages
            # (`fund_portal.paginators.CappedKeysetPaginator`) walk this index alone, the scope checked
            # on each entry, where a province's 100,000 children were sorted for every deep page.
            models.Index(fields=["name_folded", "id"], include=["commune"], name="child_name_idx"),
            # A province's staff's lists in the same order, their province alone (`children.province_sql`).
            models.Index(
                fields=["province", "name_folded", "id"], include=["commune"], name="child_province_name_idx"
            ),
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
        # Made without `reverse` for each child: a list's page links every row.
        return reverse_with_id("children:detail", self.pk)

    @property
    def disability_shown(self) -> str:
        """The kind and level of disability in words (a text typed before the law's lists, as typed)."""
        from ..reference.disability import disability_severity_shown, disability_type_shown

        kind = disability_type_shown(self.disability_type)
        level = disability_severity_shown(self.disability_severity)
        return f"{kind} ({level})" if kind and level else kind or level


class Circumstance(ScopedModel):
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

    scope_lookup = "child__commune"
    scope_village_lookup = "child__village"

    class Meta:
        verbose_name = _("special circumstance")
        verbose_name_plural = _("special circumstances")
        constraints = [
            models.UniqueConstraint(fields=["child", "group", "subgroup"], name="circumstance_once")
        ]

    def __str__(self) -> str:
        return f"{self.child}: {self.group}"


class ChildStatusChange(ScopedModel):
    """The history of a child's status: registered, moved away, aged out, deceased, merged."""

    child = models.ForeignKey(
        Child, verbose_name=_("child"), on_delete=models.CASCADE, related_name="status_changes"
    )
    status_from = models.CharField(_("from"), max_length=10, choices=ChildStatus.choices, blank=True)
    status_to = models.CharField(_("to"), max_length=10, choices=ChildStatus.choices)
    on = models.DateField(_("on"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    by = account_field(
        _("recorded by"),
        null=True,
        blank=True,
        db_index=False,  # looked up by it only when a user is deleted (PROTECT)
    )
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_lookup = "child__commune"
    scope_village_lookup = "child__village"

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.status_from} → {self.status_to}"


class ConsentChange(ScopedModel):
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
    by = account_field(
        _("recorded by"),
        db_index=False,  # looked up by it only when a user is deleted (PROTECT)
    )
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_lookup = "child__commune"
    scope_village_lookup = "child__village"

    class Meta:
        verbose_name = _("consent change")
        verbose_name_plural = _("consent changes")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.data_consent}/{self.story_consent}"
