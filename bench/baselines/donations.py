"""django-import-export resources of the donations app.

`DonationResource` reads the donations template (the Vietnamese headers of
`donations.importing.HEADERS`) the way the library does it, configured the "tuned" way
(`use_bulk`, `batch_size=1000`, `skip_diff`, `force_init_instance`, lookups cached once per import).
It is the baseline that `donations.importing.donations_import` is measured against
(`manage.py bench --only donation_import`), and it can export donations with the same headers.

What it does not do, and why the portal imports with `donations_import` instead:

* It writes *pending* donations: no receipt numbers, no ledger entries. The library saves rows in
  batches it does not number, and a gapless receipt number per fund and year needs the fund's
  counter locked and a block reserved, which is `donations_import`'s job. Posting 100,000 pending
  donations one by one afterwards (`donation_post`) would take minutes.
* It does not create donors: a tax code links the donor that has it, if one is in the user's
  scope; the name is kept as the "name given" (`donor_name`).
* Row errors are reported, and with `use_transactions` nothing is kept if a row fails, but a
  database error during a bulk insert is not tied to a row (the library's limit).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from campaigns.selectors import campaigns_open_to
from donations.imports.donation_rows import COLUMNS, KIND_ALIASES, SOURCE_ALIASES
from donations.models import Donation, DonationKind, Donor, Fund, RestrictionKind, SourceCategory
from donations.services.checks import _require_not_future
from fund_portal.imports import cell_text, choice_table
from fund_portal.money_parse import parse_vnd
from fund_portal.spreadsheets import cell_date
from fund_portal.text import fold, normalize_text


def _header(field_name: str) -> str:
    return COLUMNS[field_name][0]


def _required(field_name: str) -> ValueError:
    return ValueError(_("%(column)s is empty; it is required.") % {"column": _header(field_name)})


class ReceivedOnWidget(widgets.Widget):
    """An Excel date or a dd/mm/yyyy text, not in the future."""

    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            raise _required("received_on")
        try:
            return _require_not_future(cell_date(value), "received_on")
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from error

    def render(self, value, obj=None, **kwargs):
        return value.strftime("%d/%m/%Y") if value else ""


class AmountWidget(widgets.Widget):
    """Whole đồng, read by `parse_vnd` ("1.000.000", "1,000,000", "1000000đ" or a number cell)."""

    def clean(self, value, row=None, **kwargs):
        try:
            return parse_vnd(None if value == "" else value)
        except ValidationError as error:
            raise ValueError(" ".join(error.messages)) from error

    def render(self, value, obj=None, **kwargs):
        return value


class ChoiceWidget(widgets.Widget):
    """A choice written as its Vietnamese label, English label, code or alias (case and accents ignored)."""

    def __init__(self, choices, aliases: dict[str, str], *, field_name: str, default: str = "", **kwargs):
        super().__init__(**kwargs)
        self.choices = choices
        self.aliases = aliases
        self.field_name = field_name
        self.default = default
        self._table = None

    def clean(self, value, row=None, **kwargs):
        if self._table is None:
            self._table = choice_table(self.choices, self.aliases)
        text = cell_text(value)
        if not text:
            if self.default:
                return self.default
            raise _required(self.field_name)
        choice = self._table.get(fold(text))
        if choice is None:
            if self.field_name == "kind":
                message = _("“%(value)s” is not a way of giving; write Tiền mặt, Chuyển khoản or Hiện vật.")
            else:
                message = _("“%(value)s” is not a source of money; write one of: %(choices)s.")
            choices = ", ".join(str(label) for label in SourceCategory.labels)
            raise ValueError(message % {"value": text, "choices": choices})
        return choice

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class LookupWidget(widgets.Widget):
    """A related record by its code, among those the importing user may use (loaded once per import)."""

    def __init__(self, *, attribute: str, field_name: str, required: bool, **kwargs):
        super().__init__(**kwargs)
        self.attribute = attribute
        self.field_name = field_name
        self.required = required
        self.message = ""
        self.by_code: dict[str, object] = {}

    def clean(self, value, row=None, **kwargs):
        code = cell_text(value).lower()
        if not code:
            if self.required:
                raise _required(self.field_name)
            return None
        try:
            return self.by_code[code]
        except KeyError:
            raise ValueError(self.message % {"value": cell_text(value)}) from None

    def render(self, value, obj=None, **kwargs):
        return getattr(value, self.attribute, "") if value else ""


class DonorByTaxCodeWidget(widgets.Widget):
    """The id of the donor that has this tax code, if one is in scope; otherwise no donor."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.by_tax_code: dict[str, int] = {}

    def clean(self, value, row=None, **kwargs):
        code = cell_text(value)
        if isinstance(value, float | int) and code:
            code = code.zfill(10)
        return self.by_tax_code.get(code)


class DonationResource(resources.ModelResource):
    received_on = fields.Field(
        attribute="received_on", column_name=_header("received_on"), widget=ReceivedOnWidget()
    )
    amount = fields.Field(attribute="amount", column_name=_header("amount"), widget=AmountWidget())
    kind = fields.Field(
        attribute="kind",
        column_name=_header("kind"),
        widget=ChoiceWidget(DonationKind, KIND_ALIASES, field_name="kind"),
    )
    donor_name = fields.Field(
        attribute="donor_name", column_name=_header("donor_name"), widget=widgets.CharWidget()
    )
    donor = fields.Field(attribute="donor_id", column_name=_header("tax_code"), widget=DonorByTaxCodeWidget())
    fund = fields.Field(
        attribute="fund",
        column_name=_header("fund"),
        widget=LookupWidget(attribute="code", field_name="fund", required=True),
    )
    campaign = fields.Field(
        attribute="campaign",
        column_name=_header("campaign"),
        widget=LookupWidget(attribute="slug", field_name="campaign", required=False),
    )
    source = fields.Field(
        attribute="source",
        column_name=_header("source"),
        widget=ChoiceWidget(
            SourceCategory, SOURCE_ALIASES, field_name="source", default=SourceCategory.CHILD_FUND
        ),
    )
    import_key = fields.Field(
        attribute="import_key", column_name=_header("import_key"), widget=widgets.CharWidget()
    )
    message = fields.Field(attribute="message", column_name=_header("note"), widget=widgets.CharWidget())
    goods_description = fields.Field(
        attribute="goods_description", column_name=_header("goods_description"), widget=widgets.CharWidget()
    )
    goods_quantity = fields.Field(
        attribute="goods_quantity", column_name=_header("goods_quantity"), widget=widgets.IntegerWidget()
    )
    goods_unit = fields.Field(
        attribute="goods_unit", column_name=_header("goods_unit"), widget=widgets.CharWidget()
    )

    class Meta:
        model = Donation
        fields = (
            "received_on",
            "amount",
            "kind",
            "donor_name",
            "donor",
            "fund",
            "campaign",
            "source",
            "import_key",
            "message",
            "goods_description",
            "goods_quantity",
            "goods_unit",
        )
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        force_init_instance = True
        use_transactions = True

    def __init__(self, *, user, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        funds = Fund.objects.visible_to(user).filter(is_active=True)
        self.fields["fund"].widget.by_code = {fund.code.lower(): fund for fund in funds}
        self.fields["fund"].widget.message = _("No fund has the code “%(value)s”.")
        self.fields["campaign"].widget.by_code = {c.slug: c for c in campaigns_open_to(user=user)}
        self.fields["campaign"].widget.message = _("No campaign open to you has the code “%(value)s”.")
        donors = Donor.objects.visible_to(user).filter(merged_into__isnull=True).exclude(tax_code="")
        self.fields["donor"].widget.by_tax_code = dict(donors.order_by("-pk").values_list("tax_code", "pk"))
        self._imported: dict[tuple[int, str], str] = {}
        self._first_row: dict[tuple[int, str], int] = {}

    def before_import(self, dataset, **kwargs):
        """The document ids already imported into the user's funds: one query per 5,000 ids."""
        header = _header("import_key")
        if header not in dataset.headers:
            return
        keys = sorted({normalize_text(cell_text(key)) for key in dataset[header]} - {""})
        funds = list(self.fields["fund"].widget.by_code.values())
        for start in range(0, len(keys), 5_000):
            imported = Donation.objects.filter(fund__in=funds, import_key__in=keys[start : start + 5_000])
            for fund_id, key, receipt in imported.values_list("fund_id", "import_key", "receipt_number"):
                self._imported[(fund_id, key)] = receipt

    def init_instance(self, row=None):
        return Donation(created_by=self.user)

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.donor_name = normalize_text(instance.donor_name)
        instance.import_key = normalize_text(instance.import_key or "")
        errors = {}
        if not instance.import_key:
            errors["import_key"] = str(_required("import_key"))
        elif instance.fund_id:
            key = (instance.fund_id, instance.import_key)
            # The library counts data rows from 1; the spreadsheet's first data row is row 2.
            first = self._first_row.setdefault(key, kwargs["row_number"] + 1)
            if key in self._imported:
                errors["import_key"] = _(
                    "The document id “%(value)s” was already imported into %(fund)s (receipt %(receipt)s)."
                ) % {"value": instance.import_key, "fund": instance.fund, "receipt": self._imported[key]}
            elif first != kwargs["row_number"] + 1:
                errors["import_key"] = _(
                    "The document id “%(value)s” is already in row %(first)s of this file."
                ) % {"value": instance.import_key, "first": first}
        if instance.kind == DonationKind.GOODS and not (
            instance.goods_description and instance.goods_quantity
        ):
            errors["goods_description"] = _("Goods need a description and a quantity.")
        if errors:
            raise ValidationError(errors)
        if instance.campaign_id:
            instance.restriction = RestrictionKind.CAMPAIGN
            instance.restriction_campaign_id = instance.campaign_id

    def dehydrate_donor_name(self, donation: Donation) -> str:
        return donation.donor.name if donation.donor_id else donation.donor_name

    def dehydrate_donor(self, donation: Donation) -> str:
        return donation.donor.tax_code if donation.donor_id else ""
