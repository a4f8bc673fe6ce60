"""The registry of children in special circumstances (cơ sở dữ liệu trẻ em).

The most sensitive data of the portal. Every query starts from `Child.objects.visible_to(user)`
(scope by commune); sensitive groups and health notes are shown only with the permission
`children.view_sensitive`; every view of a child's page and every export is written to
`AccessLog`. Writes go through `children.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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


class ChildQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=ChildStatus.ACTIVE)


class Child(models.Model):
    """A child (a person under 16) of the commune's list, with household, schooling and health."""

    full_name = models.CharField(_("full name"), max_length=120)
    name_folded = models.CharField(max_length=120, editable=False)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, default="01")
    personal_id = models.CharField(
        _("personal identification number"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Mã định danh cá nhân: 12 digits."),
    )
    commune = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="children_registered",
    )
    village = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
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
    data_consent = models.BooleanField(_("guardian consents to keeping the data"), default=False)
    story_consent = models.BooleanField(_("guardian consents to an anonymised public story"), default=False)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, editable=False, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChildQuerySet.as_manager()

    scope_lookup = "commune"

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["name_folded", "id"]
        permissions = [("view_sensitive", _("Can see sensitive groups and health notes of children"))]
        indexes = [
            models.Index(fields=["commune", "name_folded", "id"], name="child_commune_name_idx"),
            models.Index(fields=["name_folded", "birth_date"], name="child_duplicate_idx"),
            models.Index(fields=["status", "birth_date"], name="child_status_birth_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(personal_id__isnull=True) | Q(personal_id__regex=r"^[0-9]{12}$"),
                name="child_personal_id_12_digits",
                violation_error_message=_("The personal identification number has 12 digits."),
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

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="circumstances")
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

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.SET_NULL, related_name="access_logs"
    )
    children_count = models.PositiveIntegerField(_("children"), default=1)
    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit", null=True, on_delete=models.PROTECT, related_name="+"
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
