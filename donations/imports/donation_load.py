"""The donations import's database side: the checks that read it (document ids imported before, the
donors the rows name) and the write, in the caller's transaction: a block of receipt numbers per fund
(`document_numbers_reserve`), new donors, the donations and their ledger entries loaded with COPY."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from fund_portal.bulk import bulk_load, matching, reserve_ids
from fund_portal.imports import Rejected, RowError, shown
from fund_portal.models import User
from fund_portal.public_cache import public_figures_changed
from fund_portal.text import fold, normalize_text

from ..models.common import RestrictionKind
from ..models.donations import Donation, DonationKind, DonationStatus
from ..models.donors import DisplayPreference, Donor, DonorKind
from ..models.funds import Fund
from ..models.ledger import DocumentSeries
from ..services.donations import ledger_entries_post
from ..services.numbers import document_numbers_reserve, receipt_number
from ..services.stock import stock_receive_donation
from .donation_rows import COLUMNS, ParsedRow

#: How a new donor's name starts says what kind of donor it is (folded); anything else is a person.
_DONOR_KIND_PREFIXES = (
    (("cong ty", "doanh nghiep", "hop tac xa", "ngan hang", "tap doan", "chi nhanh"), DonorKind.BUSINESS),
    (("uy ban", "ubnd", "phong ", "so ", "truong ", "benh vien", "cong an", "ban "), DonorKind.AGENCY),
    (("hoi ", "doan ", "cau lac bo", "clb "), DonorKind.ORGANISATION),
)


def _check_against_db(rows: list[ParsedRow]) -> list[RowError]:
    """The checks that read the database: document ids imported before, and the donors the rows name.

    Sets each row's donor_id where the donor exists; the donors still to create keep None.
    """
    errors = []
    by_fund: dict[int, list[ParsedRow]] = defaultdict(list)
    for row in rows:
        by_fund[row.fund.id].append(row)
    for fund_rows in by_fund.values():
        fund = fund_rows[0].fund
        imported = _imported_keys(fund, [row.import_key for row in fund_rows])
        for row in fund_rows:
            if row.import_key in imported:
                errors.append(
                    RowError(
                        row.row,
                        COLUMNS["import_key"][0],
                        "already_imported",
                        _(
                            "The document id “%(value)s” was already imported into %(fund)s "
                            "(receipt %(receipt)s)."
                        )
                        % {
                            "value": shown(row.import_key),
                            "fund": fund,
                            "receipt": imported[row.import_key],
                        },
                        shown(row.import_key),
                    )
                )
    known = _existing_donors(rows)
    for row in rows:
        key = row.donor_key()
        if key is None:
            continue
        row.donor_id = known.get(key)
        if row.donor_id is None and not row.donor_name:
            errors.append(
                RowError(
                    row.row,
                    COLUMNS["donor_name"][0],
                    "donor_name_required",
                    _("No donor has the tax code %(value)s yet; write the donor's name as well.")
                    % {"value": row.tax_code},
                    row.tax_code,
                )
            )
    return errors


def _imported_keys(fund: Fund, keys: list[str]) -> dict[str, str]:
    """Which of these document ids the fund already has, with their receipt numbers: one query.

    A document id has no line break (`_import_key` normalises its spaces), as `matching` needs."""
    return dict(
        matching(Donation.objects.filter(fund=fund), "import_key", keys, "import_key", "receipt_number")
    )


def _existing_donors(rows: list[ParsedRow]) -> dict[tuple, int]:
    """The donors the rows name that exist in their fund's unit (the oldest when several match)."""
    tax_codes = {row.tax_code for row in rows if row.tax_code}
    folded_names = {
        fold(name) for name in {row.donor_name for row in rows if row.donor_name and not row.tax_code}
    }
    units = {fund.unit_id for fund in {row.fund.id: row.fund for row in rows}.values()}
    known: dict[tuple, int] = {}
    donors = Donor.objects.filter(unit_id__in=units, merged_into__isnull=True).order_by()
    # The oldest donor of each tax code, and of each name as written: a unit has many donors whose
    # names fold alike ("Lê Văn Thành", "Lê Văn Thanh"), and often several of one name.
    for chunk in _chunks(sorted(tax_codes), 5_000):
        for unit_id, tax_code, pk in (
            donors.filter(tax_code__in=chunk).values_list("unit_id", "tax_code").annotate(oldest=Min("pk"))
        ):
            known[(unit_id, "tax", tax_code)] = pk
    for chunk in _chunks(sorted(folded_names), 5_000):
        for unit_id, name, pk in (
            donors.filter(name_folded__in=chunk).values_list("unit_id", "name").annotate(oldest=Min("pk"))
        ):
            key = (unit_id, "name", normalize_text(name).lower())
            known[key] = min(pk, known.get(key, pk))
    return known


def _write(rows: list[ParsedRow], *, by: User) -> int:
    """Post the rows in the caller's transaction; raises Rejected if the database refuses a row.

    Returns how many donors were created.
    """
    now = timezone.now()
    year = timezone.localtime(now).year
    by_fund: dict[int, list[ParsedRow]] = defaultdict(list)
    for row in rows:
        by_fund[row.fund.pk].append(row)
    blocks = {}
    # Locked in the order of the funds' ids, so two imports never wait on each other in a circle.
    # Another import into the same fund waits here, then sees this one's document ids. The counter
    # is the only lock an import takes before its stock items: the funds are not locked, and the
    # share locks that the foreign-key checks take on them at commit conflict only with a plain
    # FOR UPDATE of a fund, which no service takes (see donations.services.donations).
    for fund_id in sorted(by_fund):
        fund_rows = by_fund[fund_id]
        blocks[fund_id] = document_numbers_reserve(
            fund=fund_rows[0].fund, series=DocumentSeries.RECEIPT, year=year, count=len(fund_rows)
        )
    errors = _check_against_db(rows)
    if errors:
        raise Rejected(errors)
    for fund_id, fund_rows in by_fund.items():
        for seq, row in zip(blocks[fund_id], fund_rows, strict=True):
            row.receipt_seq, row.receipt_number = seq, receipt_number(row.fund.code, year, seq)
    new_donors = _donors_create(rows)
    ids = reserve_ids(Donation._meta.db_table, len(rows))
    bulk_load(Donation._meta.db_table, DONATION_COLUMNS, _donation_rows(rows, ids, year=year, now=now, by=by))
    ledger_entries_post(ids, now=now, by=by)
    public_figures_changed(unit_ids={row.fund.unit_id for row in rows})
    goods_ids = [
        donation_id for row, donation_id in zip(rows, ids, strict=True) if row.kind == DonationKind.GOODS
    ]
    for donation in Donation.objects.filter(pk__in=goods_ids).select_related("fund").order_by("pk"):
        stock_receive_donation(donation=donation)
    return new_donors


def _count_new_donors(rows: list[ParsedRow]) -> int:
    return len({key for row in rows if row.donor_id is None and (key := row.donor_key()) is not None})


def _donors_create(rows: list[ParsedRow]) -> int:
    """One new donor for each tax code or name the fund's unit does not know yet; rows get their ids.

    Loaded with COPY under ids taken from the table's sequence: the benchmark's 100,000 rows create
    about 5,300 donors, which `bulk_create` took 0.66 s (under cProfile) to build and send."""
    new: dict[tuple, tuple] = {}
    for row in rows:
        key = row.donor_key()
        if key is None or row.donor_id is not None or key in new:
            continue
        name_folded = fold(row.donor_name)
        new[key] = (row.fund.unit_id, _donor_kind(name_folded), row.donor_name, name_folded, row.tax_code)
    ids = dict(zip(new, reserve_ids(Donor._meta.db_table, len(new)), strict=True))
    now = timezone.now()
    bulk_load(
        Donor._meta.db_table,
        DONOR_COLUMNS,
        (
            donor_copy_row(
                id=ids[key],
                unit_id=unit_id,
                kind=kind,
                name=name,
                name_folded=name_folded,
                tax_code=tax_code,
                created_at=now,
            )
            for key, (unit_id, kind, name, name_folded, tax_code) in new.items()
        ),
    )
    for row in rows:
        if row.donor_id is None and (key := row.donor_key()) is not None:
            row.donor_id = ids[key]
    return len(new)


#: The columns a donor is loaded with by COPY (`donor_copy_row`); the others are NULL.
DONOR_COLUMNS = [
    "id",
    "unit_id",
    "kind",
    "name",
    "name_folded",
    "tax_code",
    "phone",
    "email",
    "address",
    "interests",
    "display_preference",
    "notes",
    "created_at",
]


def donor_copy_row(
    *,
    id: int,
    unit_id: int,
    name: str,
    name_folded: str,
    created_at,
    kind: str = DonorKind.INDIVIDUAL,
    tax_code: str = "",
    display_preference: str = DisplayPreference.FULL_NAME,
) -> tuple:
    """One donor as COPY loads it, in `DONOR_COLUMNS` order: what `Donor()` would hold by default for
    the columns not given (no phone, email, address, interests or notes)."""
    return (
        id,
        unit_id,
        kind,
        name,
        name_folded,
        tax_code,
        "",
        "",
        "",
        "[]",
        display_preference,
        "",
        created_at,
    )


def _donor_kind(name_folded: str) -> str:
    for prefixes, kind in _DONOR_KIND_PREFIXES:
        if name_folded.startswith(prefixes):
            return kind
    return DonorKind.INDIVIDUAL


DONATION_COLUMNS = [
    "id",
    "fund_id",
    "donor_id",
    "kind",
    "amount",
    "goods_description",
    "goods_quantity",
    "goods_unit",
    "received_on",
    "campaign_id",
    "source",
    "status",
    "receipt_year",
    "receipt_seq",
    "receipt_number",
    "transfer_reference",
    "donor_name",
    "donor_phone",
    "donor_email",
    "display_preference",
    "message",
    "client_token",
    "import_key",
    "created_by_id",
    "created_at",
    "posted_by_id",
    "posted_at",
    "restriction",
    "restriction_campaign_id",
    "restriction_unit_id",
    "restriction_need",
    "restriction_child_id",
]

#: What a column that `donation_copy_row` is not given holds: blank text for these (not NULL in the
#: table), NULL for the others.
_DONATION_BLANK_TEXT = frozenset(
    (
        "goods_description",
        "goods_unit",
        "donor_name",
        "donor_phone",
        "donor_email",
        "message",
        "restriction_need",
    )
)


def donation_copy_row(**values) -> tuple:
    """One donation as COPY loads it, in `DONATION_COLUMNS` order, from its columns' values by name;
    a column not named is blank (see `_DONATION_BLANK_TEXT`)."""
    unknown = values.keys() - set(DONATION_COLUMNS)
    if unknown:
        raise ValueError(f"donation_copy_row: no column {sorted(unknown)}")
    return tuple(
        values[column] if column in values else "" if column in _DONATION_BLANK_TEXT else None
        for column in DONATION_COLUMNS
    )


def _donation_rows(rows: list[ParsedRow], ids: list[int], *, year: int, now, by: User) -> Iterator[tuple]:
    for row, donation_id in zip(rows, ids, strict=True):
        yield (
            donation_id,
            row.fund.pk,
            row.donor_id,
            row.kind,
            row.amount,
            row.goods_description,
            row.goods_quantity,
            row.goods_unit,
            row.received_on,
            row.campaign_id,
            row.source,
            DonationStatus.POSTED,
            year,
            row.receipt_seq,
            row.receipt_number,
            None,
            "",
            "",
            "",
            DisplayPreference.FULL_NAME,
            row.note,
            None,
            row.import_key,
            by.pk,
            now,
            by.pk,
            now,
            RestrictionKind.CAMPAIGN if row.campaign_id else RestrictionKind.NONE,
            row.campaign_id,
            None,
            "",
            None,
        )


def _chunks(values: list, size: int) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
