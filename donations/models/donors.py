"""The fund's donor network."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import optional_link
from fund_portal.scope import ScopedModel


class DonorKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    BUSINESS = "business", _("Business")
    AGENCY = "agency", _("Agency or public body")
    ORGANISATION = "organisation", _("Organisation")
    FOREIGN_ORGANISATION = "foreign_organisation", _("Foreign organisation")


class DisplayPreference(models.TextChoices):
    """How a donor is shown on public pages (donor wall, transparency list)."""

    FULL_NAME = "full_name", _("Full name")
    INITIALS = "initials", _("Initials only")
    ANONYMOUS = "anonymous", _("Anonymous")

    @classmethod
    def most_private(cls, *preferences: str) -> str:
        """The most private of these choices: a gift made anonymously stays anonymous even when it belongs
        to a donor record that shows the full name (a logged-in donor's gift from the public form)."""
        order = [cls.FULL_NAME, cls.INITIALS, cls.ANONYMOUS]
        return max((p for p in preferences if p in order), key=order.index, default=cls.FULL_NAME)


class Donor(ScopedModel):
    """A member of the fund's donor network (nhà tài trợ, nhà hảo tâm)."""

    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("managed by unit"),
        on_delete=models.PROTECT,
        related_name="donors",
        help_text=_("The fund network (district or commune) that keeps this donor."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=DonorKind.choices, default=DonorKind.INDIVIDUAL)
    name = models.CharField(_("name"), max_length=200)
    name_folded = models.CharField(
        _("name without diacritics"), max_length=200, editable=False, db_index=True
    )
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    address_unit = optional_link(
        "fund_portal.AdministrativeUnit", _("address (administrative unit)"), related_name="+"
    )
    interests = models.JSONField(
        _("likes to fund"), default=list, blank=True, help_text=_("Need areas the donor prefers.")
    )
    display_preference = models.CharField(
        _("public display"),
        max_length=16,
        choices=DisplayPreference.choices,
        default=DisplayPreference.FULL_NAME,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="donor",
    )
    merged_into = optional_link("self", _("merged into"), related_name="merged_donors")
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["name"]
        indexes = [models.Index(fields=["tax_code"], name="donor_tax_code_idx")]

    def __str__(self) -> str:
        return self.name
