"""Funds (one per level: district, commune) and their bank accounts."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from fund_portal.fields import optional_link
from fund_portal.locks import transaction_lock
from fund_portal.scope import ScopedModel


class Fund(ScopedModel):
    """A Child Protection Fund of one level (district fund, commune fund), with its own ledger."""

    unit = models.ForeignKey(
        "fund_portal.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="funds",
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short code, used in receipt numbers and transfer references."),
    )
    parent = optional_link("self", _("higher-level fund"), related_name="lower_funds")
    is_active = models.BooleanField(_("active"), default=True)
    governing_body = models.CharField(
        _("governing body"),
        max_length=200,
        blank=True,
        help_text=_("Shown above the fund's name on its documents, e.g. UBND huyện Triệu Sơn."),
    )
    place = models.CharField(
        _("place on documents"),
        max_length=100,
        blank=True,
        help_text=_("E.g. Triệu Sơn, in “Triệu Sơn, ngày … tháng … năm …”."),
    )
    address = models.CharField(
        _("address on documents"),
        max_length=255,
        blank=True,
        help_text=_("Printed on receipts and vouchers."),
    )
    tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    director_name = models.CharField(_("director"), max_length=120, blank=True)
    treasurer_name = models.CharField(_("cashier"), max_length=120, blank=True)
    # Its public identity: each fund of a deployment has its own site, at /quy/<code>/ or on its own host.
    public_name = models.CharField(
        _("public name"),
        max_length=200,
        blank=True,
        help_text=_("The name its public pages show; empty: the fund's name."),
    )
    # NULL, not "", for none: the unique constraint below lets many funds have none.
    public_host = models.CharField(  # noqa: DJ001
        _("public host name"),
        max_length=253,
        null=True,
        blank=True,
        validators=[
            RegexValidator(
                r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$",
                _("Enter a host name in lower case, such as quy.thanhhoa.gov.vn (no http://, no slash)."),
            )
        ],
        help_text=_(
            "Its own address for the public pages, e.g. quy.thanhhoa.gov.vn (also to be added to"
            " ALLOWED_HOSTS); empty: its pages are at /quy/<code>/."
        ),
    )
    recognition_min_amount = models.BigIntegerField(
        _("honour roll: amount in a year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("A donor who gave at least this in a year is thanked; empty: the deployment's setting."),
    )
    recognition_years = models.PositiveSmallIntegerField(
        _("honour roll: years in a row"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("A donor who gave in each of this many years running is thanked; empty: the setting."),
    )

    scope_lookup = "unit"

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["name"]
        constraints = [
            # Host names are case-insensitive: two funds never hold the same one in any case.
            models.UniqueConstraint(
                Lower("public_host"),
                name="fund_public_host_unique_ci",
                violation_error_message=_("Another fund already uses this host name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        host = self.public_host
        if not host:
            return
        if host.lower() == (urlsplit(settings.SITE_URL).hostname or ""):
            message = _("This is the main site's host name; a fund's own host name must be another.")
            raise ValidationError({"public_host": message})
        # Two funds given one host name at the same moment: the second waits for the first to commit,
        # then sees it here and gets this message (the unique index alone would make it an error page).
        transaction_lock("fund.public_host")
        if Fund.objects.filter(public_host__iexact=host).exclude(pk=self.pk).exists():
            raise ValidationError({"public_host": _("Another fund already uses this host name.")})

    @property
    def display_name(self) -> str:
        """The name its public pages show."""
        return self.public_name or self.name


class BankAccount(ScopedModel):
    """A fund's bank account; donations by transfer arrive here (VietQR uses the bank's BIN)."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="bank_accounts"
    )
    bank_name = models.CharField(_("bank"), max_length=120)
    bank_bin = models.CharField(_("bank BIN"), max_length=6, help_text=_("The bank's 6-digit NAPAS code."))
    account_number = models.CharField(_("account number"), max_length=19)
    account_name = models.CharField(_("account holder"), max_length=120)
    is_default = models.BooleanField(_("default account for donations"), default=False)

    scope_lookup = "fund__unit"

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            models.UniqueConstraint(fields=["bank_bin", "account_number"], name="bank_account_unique"),
            models.UniqueConstraint(
                fields=["fund"], condition=Q(is_default=True), name="one_default_account_per_fund"
            ),
            models.CheckConstraint(
                condition=Q(bank_bin__regex=r"^[0-9]{6}$"),
                name="bank_bin_six_digits",
                violation_error_message=_("The bank BIN has 6 digits."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_number}"
