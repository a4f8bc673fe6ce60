"""Importing donations from a spreadsheet: every row is checked, then all are posted at once, or none.

The file (XLSX or CSV, recognised by content) follows the template of `donations_import_template`:
one donation per row, Vietnamese headers. Every row is validated in Python, every bad row is
reported with its spreadsheet row number, and if one row is bad nothing is written. A good file
is written in one transaction: donors are found or created, each fund's receipt counter is locked
and a block of consecutive numbers reserved, and the donations and their ledger entries are
loaded with COPY (PostgreSQL) as posted donations.

Decisions worth knowing:

* Who may import: a user with the permission to add donations (fund staff, superusers), into the
  funds `Fund.objects.visible_to` gives them, for the campaigns `campaigns_open_to` gives them.
* The document id (`Mã chứng từ`) is required and is imported once per fund: a repeated id in the
  file, or an id a previous import already brought into the fund, refuses the file. The database
  backs this with the unique constraint `donation_import_key_unique`.
* Donors: a row with a tax code is the donor of that tax code in the fund's unit (created with
  the row's name if there is none yet). A row with a name and no tax code is the donor of that
  name in the fund's unit, names compared after NFC normalisation and ignoring case, but keeping
  the diacritics: "Lê Văn Thành" and "Lê Văn Thanh" are different people. A name the unit does
  not know yet creates one donor, however many rows carry it. An empty name is an anonymous
  benefactor.
* Receipt numbers are those of the year of posting, as `donation_post` gives them, in the order of
  the rows in the file; the ledger entry is dated on the day the money was received, as
  `donation_post` dates it. Goods go into the fund's stock through `stock_receive`.
* A donation for a campaign is restricted to that campaign, as on the public donation form.
* COPY does not go through the audit trail (django-auditlog): each donation keeps who imported
  and posted it, when, and its document id."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from campaigns.selectors import campaigns_open_to
from fund_portal.authority import Action, requires
from fund_portal.bulk import analyze
from fund_portal.imports import RowError, SheetImportResult, sheet_import, template_workbook, workbook_bytes
from fund_portal.models import User
from fund_portal.money import format_vnd

from ..models import Donation, DonationKind, Donor, Fund, LedgerEntry, SourceCategory
from .donation_load import _check_against_db, _count_new_donors, _write
from .donation_rows import COLUMNS, HEADERS, REQUIRED_COLUMNS, ParsedRow, _RowReader

PREVIEW_ROWS = 20


#: Rows per COPY: as fast as one COPY of everything, with a fraction of its memory.
#: Below this many rows autovacuum keeps the planner's statistics fresh enough.
ANALYZE_AFTER_ROWS = 10_000


@dataclass
class FundSummary:
    code: str
    name: str
    rows: int = 0
    amount: int = 0
    first_receipt: str = ""
    last_receipt: str = ""


@dataclass
class ImportResult(SheetImportResult):
    """What a donations import did, or would do: its total, its rows by fund, and the donors it creates."""

    total: int = 0
    funds: list[FundSummary] = field(default_factory=list)
    new_donors: int = 0


@requires(Action.DONATION_IMPORT)
def donations_import(*, uploaded, by: User, dry_run: bool, name: str = "") -> ImportResult:
    """Import a spreadsheet of donations as posted donations with receipt numbers: all rows, or none.

    A dry run checks everything the import checks and previews the result; it writes nothing.
    """
    result = ImportResult(file_name=name or getattr(uploaded, "name", "") or "", dry_run=dry_run)
    if not by.has_perm("donations.add_donation"):
        result.errors.append(RowError(None, "", "not_allowed", _("You may not import donations.")))
        return result
    new_donors = 0

    def check(rows: list[ParsedRow]) -> list[RowError]:
        nonlocal new_donors
        errors = _check_against_db(rows)
        new_donors = _count_new_donors(rows)
        return errors

    def write(rows: list[ParsedRow]) -> None:
        nonlocal new_donors
        new_donors = _write(rows, by=by)

    rows = sheet_import(
        result,
        uploaded=uploaded,
        columns=COLUMNS,
        required=REQUIRED_COLUMNS,
        reader=lambda columns: _RowReader(by=by, columns=columns),
        check=check,
        write=write,
        no_rows=_("The file has no donation rows."),
    )
    if result.written and len(rows) >= ANALYZE_AFTER_ROWS:
        analyze(Donation, LedgerEntry, added=len(rows))
        if new_donors:
            # The donors' table grew by the donors created, not by the rows: the benchmark's 100,000
            # rows create about 5,300, which leave a national table of 500,000 to autovacuum (0.2 s).
            analyze(Donor, added=new_donors)
    _summarise(result, rows)
    result.new_donors = new_donors if result.ok else 0
    return result


def donations_import_template(*, by: User | None = None) -> bytes:
    """An empty XLSX with the template's headers on its first sheet and instructions on the second.

    Given the user who will fill it in, the instructions list the fund and campaign codes they may use.
    """
    from openpyxl.styles import Alignment, Font

    formats = {"received_on": "DD/MM/YYYY", "amount": "#,##0", "tax_code": "@", "import_key": "@"}
    book, _sheet = template_workbook(
        title=_("Donations"),
        headers=HEADERS,
        widths=[30 if field_name in ("donor_name", "note") else 18 for field_name in COLUMNS],
        number_formats={
            index: formats[field_name]
            for index, field_name in enumerate(COLUMNS, start=1)
            if field_name in formats
        },
    )

    help_sheet = book.create_sheet(_("Instructions")[:31])
    help_sheet.append([_("How to fill in the donations template")])
    help_sheet["A1"].font = Font(bold=True, size=13)
    for line in (
        _("Keep the header row as it is; write one donation per row, from row 2."),
        _(
            "The file is imported all or nothing: if one row is wrong, nothing is imported and "
            "every wrong row is listed with its row number."
        ),
        _("Each donation gets the next receipt number of its fund and is posted to the fund's ledger."),
        "",
    ):
        help_sheet.append([line])
    help_sheet.append([_("Column"), _("Required"), _("What to write")])
    for cell in help_sheet[help_sheet.max_row]:
        cell.font = Font(bold=True)
    for field_name, text in _column_help().items():
        required = _("yes") if field_name in REQUIRED_COLUMNS else _("no")
        help_sheet.append([COLUMNS[field_name][0], required, text])
        help_sheet.cell(row=help_sheet.max_row, column=3).alignment = Alignment(wrap_text=True)
    if by is not None:
        for title, codes in (
            (
                _("Fund codes you may use"),
                Fund.objects.visible_to(by).filter(is_active=True).values_list("code", "name"),
            ),
            (_("Campaign codes you may use"), campaigns_open_to(user=by).values_list("slug", "name")),
        ):
            help_sheet.append([])
            help_sheet.append([title])
            help_sheet.cell(row=help_sheet.max_row, column=1).font = Font(bold=True)
            for code, name in codes:
                help_sheet.append([code, "", name])
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["B"].width = 10
    help_sheet.column_dimensions["C"].width = 100
    return workbook_bytes(book)


def _column_help() -> dict[str, str]:
    sources = ", ".join(str(label) for label in SourceCategory.labels)
    return {
        "received_on": _(
            "The day the donation was received: dd/mm/yyyy, or an Excel date. Not in the future."
        ),
        "amount": _(
            "The amount in đồng, a whole number: 1.000.000, 1,000,000 or 1000000. For goods, their value."
        ),
        "kind": _("Tiền mặt, Chuyển khoản or Hiện vật."),
        "donor_name": _(
            "The donor's name; leave it empty for an anonymous benefactor. Rows with the same name "
            "are the same donor."
        ),
        "tax_code": _(
            "The donor's tax code, if any: the donor with this tax code is used, or created with "
            "the name given."
        ),
        "fund": _("The fund's code, for example %(code)s.") % {"code": "qbtte-trieu-son"},
        "campaign": _("The campaign's code, if the donation is for a campaign; it is then kept for it."),
        "source": _("Where the money comes from: %(choices)s. Empty: %(default)s.")
        % {"choices": sources, "default": SourceCategory.CHILD_FUND.label},
        "import_key": _(
            "The number of the document the donation was recorded on (receipt stub, bank "
            "transaction number). Each number is imported once per fund: a file imported twice is refused."
        ),
        "note": _("A note kept with the donation."),
        "goods_description": _("For goods only: what was given."),
        "goods_quantity": _("For goods only: how many, a whole number."),
        "goods_unit": _("For goods only: the unit of measure (chiếc, thùng, kg...)."),
    }


def _summarise(result: ImportResult, rows: list[ParsedRow]) -> None:
    funds: dict[int, FundSummary] = {}
    for row in rows:
        summary = funds.get(row.fund.id)
        if summary is None:
            summary = funds[row.fund.id] = FundSummary(code=row.fund.code, name=row.fund.name)
            summary.first_receipt = row.receipt_number
        summary.rows += 1
        summary.amount += row.amount
        summary.last_receipt = row.receipt_number
    result.rows = len(rows)
    result.total = sum(summary.amount for summary in funds.values())
    result.funds = list(funds.values())
    kinds = dict(DonationKind.choices)
    sources = dict(SourceCategory.choices)
    result.preview = [
        {
            "row": row.row,
            "received_on": row.received_on,
            "amount": row.amount,
            "amount_display": format_vnd(row.amount),
            "kind": str(kinds[row.kind]),
            "donor": row.donor_name,
            "tax_code": row.tax_code,
            "fund": row.fund.code,
            "campaign": row.campaign_slug,
            "source": str(sources[row.source]),
            "import_key": row.import_key,
            "note": row.note,
            "receipt_number": row.receipt_number,
        }
        for row in rows[:PREVIEW_ROWS]
    ]
