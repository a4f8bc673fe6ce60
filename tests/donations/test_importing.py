"""Importing donations from a spreadsheet: every row checked, every bad row named, all posted or none."""

import datetime as dt
import io
import unicodedata

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import NOT_PROVIDED, CharField, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from bench.baselines.donations import DonationResource
from campaigns.models import Campaign
from donations.imports import donation_rows as donations_importing
from donations.imports.donation_load import DONATION_COLUMNS, donation_copy_row
from donations.imports.donation_rows import HEADERS
from donations.imports.donations import donations_import, donations_import_template
from donations.models import (
    DocumentCounter,
    Donation,
    DonationKind,
    DonationStatus,
    Donor,
    DonorKind,
    LedgerEntry,
    Medium,
    RestrictionKind,
    SourceCategory,
    StockItem,
)
from donations.services.donations import ENTRY_COLUMNS, donation_create, donation_post, ledger_entries_post
from fund_portal.authority import NotAllowed
from fund_portal.models import Role
from tests.factories import DonorFactory, FundFactory, UserFactory

pytestmark = pytest.mark.django_db

FIELDS = [
    "received_on",
    "amount",
    "kind",
    "donor_name",
    "tax_code",
    "fund",
    "campaign",
    "source",
    "import_key",
    "note",
    "goods_description",
    "goods_quantity",
    "goods_unit",
]


def line(key, *, fund="huyen-mot", **values) -> dict:
    """One donation row of the template; the fields not given are the usual ones."""
    return {
        "received_on": (timezone.localdate() - dt.timedelta(days=3)).strftime("%d/%m/%Y"),
        "amount": "500.000",
        "kind": "Tiền mặt",
        "donor_name": "",
        "fund": fund,
        "import_key": key,
        **values,
    }


def xlsx(rows: list[dict], headers=HEADERS) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(name, "") for name in FIELDS[: len(headers)]])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "ung-ho.xlsx"
    return out


def run(user, rows, *, dry_run=False, **kwargs):
    return donations_import(uploaded=xlsx(rows, **kwargs), by=user, dry_run=dry_run, name="ung-ho.xlsx")


def nothing_written():
    return not Donation.objects.exists() and not LedgerEntry.objects.exists() and not Donor.objects.exists()


def codes(result) -> list[tuple]:
    return [(error.row, error.code) for error in result.errors]


def test_a_valid_file_posts_every_row_with_consecutive_receipts_and_a_ledger_summing_to_its_total(
    fund, district_staff
):
    rows = [
        line("PT-001", amount="1.000.000", donor_name="Nguyễn Văn An"),
        line("PT-002", amount=250000, kind="chuyen khoan", donor_name="Trần Thị Bình"),
        line("PT-003", amount="2,000,000", kind="TIỀN MẶT"),
        line(
            "PT-004", amount="300000đ", donor_name="nguyễn văn an", note="Ủng hộ Tết", source="Vì người nghèo"
        ),
    ]
    result = run(district_staff, rows)

    assert result.ok, result.error_messages()
    assert result.written and result.rows == 4 and result.total == 3_550_000
    donations = list(Donation.objects.order_by("receipt_seq"))
    assert [d.status for d in donations] == [DonationStatus.POSTED] * 4
    seqs = [d.receipt_seq for d in donations]
    assert seqs == [1, 2, 3, 4]
    year = timezone.localdate().year
    assert all(d.receipt_number.endswith(f"{year}-{n:06d}") for d, n in zip(donations, seqs, strict=True))
    assert [d.import_key for d in donations] == ["PT-001", "PT-002", "PT-003", "PT-004"]
    assert all(
        d.posted_by == district_staff and d.created_by == district_staff and d.posted_at for d in donations
    )
    assert [d.kind for d in donations] == ["cash", "transfer", "cash", "cash"]
    assert donations[3].source == SourceCategory.POOR_FUND and donations[3].message == "Ủng hộ Tết"
    assert donations[2].donor is None and donations[2].donor_name == ""
    assert LedgerEntry.objects.filter(fund=fund).aggregate(total=Sum("amount"))["total"] == 3_550_000
    entry = LedgerEntry.objects.get(donation=donations[1])
    assert entry.amount == 250_000 and entry.entry_date == donations[1].received_on
    assert donations[1].receipt_number in entry.description
    assert DocumentCounter.objects.get(fund=fund, series="receipt", year=year).last == 4
    numbers = sorted(d.receipt_number for d in donations)
    assert (result.funds[0].first_receipt, result.funds[0].last_receipt) == (numbers[0], numbers[-1])
    assert [d.receipt_seq for d in sorted(donations, key=lambda d: d.receipt_seq)] == [1, 2, 3, 4]
    # "Nguyễn Văn An" and "nguyễn văn an" are one donor; capital letters do not make another one.
    assert result.new_donors == 2
    assert donations[0].donor_id == donations[3].donor_id
    assert Donor.objects.get(pk=donations[0].donor_id).unit == fund.unit


def test_ledger_entries_are_made_for_exactly_the_loaded_donations_in_one_range_of_ids_or_not(
    fund, district_staff, yesterday
):
    """An import reads its donations back by range when its ids are one range, and by the list when
    another writer took ids in between: neither way touches a donation that is not its own."""
    donations = [
        donation_create(fund=fund, amount=100_000 * n, received_on=yesterday, by=district_staff)
        for n in range(1, 6)
    ]
    ids = [donation.pk for donation in donations]
    assert ids == list(range(ids[0], ids[0] + 5))
    Donation.objects.filter(pk__in=ids).update(
        receipt_number=Concat(Value("T-"), Cast("id", output_field=CharField()))
    )
    a, b, c, d, e = ids
    ledger_entries_post([b, c], now=timezone.now(), by=district_staff)  # one range; a and d lie beside it
    ledger_entries_post([a, e], now=timezone.now(), by=district_staff)  # not a range; b, c and d lie inside
    entries = LedgerEntry.objects.order_by("donation_id")
    assert list(entries.values_list("donation_id", "amount")) == [
        (a, 100_000),
        (b, 200_000),
        (c, 300_000),
        (e, 500_000),
    ]
    assert entries.get(donation_id=c).description == f"Biên lai T-{c}"


def test_receipt_numbers_continue_after_the_funds_last_receipt(fund, district_staff, yesterday):
    donation_post(donation=donation_create(fund=fund, amount=100_000, received_on=yesterday), by=None)

    result = run(district_staff, [line("PT-1"), line("PT-2")])

    assert result.ok
    assert sorted(
        Donation.objects.filter(import_key__isnull=False).values_list("receipt_seq", flat=True)
    ) == [2, 3]


def test_a_dry_run_checks_everything_previews_the_rows_and_writes_nothing(fund, district_staff):
    rows = [line(f"PT-{n}", amount=100_000 * n, donor_name=f"Lê Văn Thành {n}") for n in range(1, 26)]

    result = run(district_staff, rows, dry_run=True)

    assert result.ok and not result.written
    assert nothing_written()
    assert not DocumentCounter.objects.exists()
    assert result.rows == 25 and result.total == sum(100_000 * n for n in range(1, 26))
    assert [(f.code, f.rows, f.amount) for f in result.funds] == [("huyen-mot", 25, result.total)]
    assert result.new_donors == 25
    assert len(result.preview) == 20
    assert result.preview[0]["row"] == 2 and result.preview[0]["amount"] == 100_000
    assert result.preview[0]["donor"] == "Lê Văn Thành 1" and result.preview[0]["import_key"] == "PT-1"


@pytest.mark.parametrize(
    "amount", ["1.000.000", "1,000,000", "1000000đ", "1.000.000 đồng", 1000000, 1000000.0]
)
def test_amounts_with_dots_commas_a_dong_sign_or_as_numbers_are_accepted(fund, district_staff, amount):
    result = run(district_staff, [line("PT-1", amount=amount)])

    assert result.ok, result.error_messages()
    assert Donation.objects.get().amount == 1_000_000


@pytest.mark.parametrize(
    "amount, code",
    [
        ("0", "not_positive"),
        ("-500.000", "not_positive"),
        ("1.000,000", "ambiguous"),
        ("1,5", "decimals"),
        ("", "required"),
    ],
)
def test_a_bad_amount_is_refused_with_its_row_and_nothing_is_written(fund, district_staff, amount, code):
    result = run(district_staff, [line("PT-1"), line("PT-2", amount=amount), line("PT-3")])

    assert codes(result) == [(3, code)]
    error = result.errors[0]
    assert error.column == "Số tiền" and error.value == amount
    if amount:
        assert f"“{amount}”" in error.message
    assert "3" in str(error).split(":")[0] and "Số tiền" in str(error).split(":")[0]
    assert nothing_written()


def test_a_date_in_the_future_is_refused(fund, district_staff):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    result = run(district_staff, [line("PT-1", received_on=tomorrow.strftime("%d/%m/%Y"))])

    assert codes(result) == [(2, "future")]
    assert tomorrow.strftime("%d/%m/%Y") in result.errors[0].message
    assert nothing_written()


def test_a_date_that_is_not_a_date_is_refused(fund, district_staff):
    result = run(district_staff, [line("PT-1", received_on="31/02/2026"), line("PT-2", received_on="")])

    assert codes(result) == [(2, "date"), (3, "required")]
    assert "“31/02/2026”" in result.errors[0].message


def test_excel_date_cells_and_dd_mm_yyyy_texts_both_work(fund, district_staff):
    day = timezone.localdate() - dt.timedelta(days=10)
    rows = [
        line("PT-1", received_on=day),
        line("PT-2", received_on=dt.datetime.combine(day, dt.time(14, 30))),  # noqa: DTZ001  an Excel cell
        line("PT-3", received_on=day.strftime("%d/%m/%Y")),
    ]

    result = run(district_staff, rows)

    assert result.ok, result.error_messages()
    assert set(Donation.objects.values_list("received_on", flat=True)) == {day}


def test_an_unknown_fund_code_is_refused(fund, district_staff):
    result = run(district_staff, [line("PT-1"), line("PT-2", fund="quy-khong-co")])

    assert codes(result) == [(3, "unknown_fund")]
    assert "“quy-khong-co”" in result.errors[0].message
    assert nothing_written()


def test_a_fund_outside_the_users_scope_is_refused(tree, fund, district_staff):
    FundFactory(unit=tree["d2"], code="huyen-hai")

    result = run(district_staff, [line("PT-1", fund="huyen-hai")])

    assert codes(result) == [(2, "fund_out_of_scope")]
    assert "“huyen-hai”" in result.errors[0].message
    assert nothing_written()


def test_fund_codes_are_read_without_regard_to_case(fund, district_staff):
    assert run(district_staff, [line("PT-1", fund="HUYEN-MOT")]).ok


def test_an_unknown_campaign_is_refused_and_a_known_one_restricts_the_money(tree, fund, district_staff):
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Tết Trung thu", slug="trung-thu", unit=tree["d1"], starts_on=today, ends_on=today
    )

    refused = run(district_staff, [line("PT-1", campaign="trung-thu"), line("PT-2", campaign="khong-co")])
    assert codes(refused) == [(3, "unknown_campaign")]
    assert "“khong-co”" in refused.errors[0].message
    assert nothing_written()

    result = run(district_staff, [line("PT-1", campaign="trung-thu")])
    assert result.ok
    donation = Donation.objects.get()
    assert donation.campaign == campaign
    assert donation.restriction == RestrictionKind.CAMPAIGN and donation.restriction_campaign == campaign
    assert LedgerEntry.objects.get().restriction_campaign == campaign


def test_a_document_id_repeated_in_the_file_is_refused_naming_the_first_row(fund, district_staff):
    result = run(district_staff, [line("PT-1"), line("PT-2"), line("PT-1")])

    assert codes(result) == [(4, "duplicate_in_file")]
    assert "“PT-1”" in result.errors[0].message and "2" in result.errors[0].message
    assert nothing_written()


def test_a_file_with_more_rows_than_the_import_takes_is_refused_whole(fund, district_staff, monkeypatch):
    monkeypatch.setattr(donations_importing._RowReader, "max_rows", 2)
    result = run(district_staff, [line("PT-1"), line("PT-2"), line("PT-3")])

    assert codes(result) == [(None, "too_many_rows")]
    assert result.errors[0].message == "Tệp có hơn 2 dòng; vui lòng chia thành các tệp nhỏ hơn."
    assert nothing_written()
    assert run(district_staff, [line("PT-1"), line("PT-2")]).ok


def test_a_document_id_imported_before_is_refused_the_second_time(fund, district_staff):
    first = run(district_staff, [line("PT-1"), line("PT-2")])
    assert first.ok
    receipt = Donation.objects.get(import_key="PT-2").receipt_number

    second = run(district_staff, [line("PT-3"), line("PT-2")])

    assert codes(second) == [(3, "already_imported")]
    assert "“PT-2”" in second.errors[0].message and receipt in second.errors[0].message
    assert Donation.objects.count() == 2 and LedgerEntry.objects.count() == 2
    assert DocumentCounter.objects.get(fund=fund).last == 2


def test_the_same_document_id_may_be_used_by_two_funds(tree, fund, district_staff):
    FundFactory(unit=tree["a"], code="xa-an")

    result = run(district_staff, [line("PT-1"), line("PT-1", fund="xa-an")])

    assert result.ok, result.error_messages()
    assert Donation.objects.filter(import_key="PT-1").count() == 2


def test_a_missing_document_id_is_refused(fund, district_staff):
    result = run(district_staff, [line("")])

    assert codes(result) == [(2, "required")]
    assert "Mã chứng từ" in result.errors[0].message


def test_every_bad_row_is_reported_not_only_the_first(fund, district_staff):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    rows = [
        line("PT-1", amount="0"),
        line("PT-2"),
        line("PT-3", received_on=tomorrow, kind="Séc"),
        line("PT-4", source="Xổ số"),
    ]

    result = run(district_staff, rows)

    assert codes(result) == [(2, "not_positive"), (4, "future"), (4, "kind"), (5, "source")]
    assert result.bad_rows == 3
    assert "“Séc”" in result.errors[2].message and "“Xổ số”" in result.errors[3].message
    assert nothing_written()


def test_a_pdf_named_xlsx_is_refused_as_not_a_spreadsheet(fund, district_staff):
    pdf = io.BytesIO(
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\x00trailer\n%%EOF\n"
    )

    result = donations_import(uploaded=pdf, by=district_staff, dry_run=False, name="ung-ho.xlsx")

    assert [(e.row, e.code) for e in result.errors] == [(None, "binary")]
    assert "ung-ho.xlsx" in result.errors[0].message
    assert nothing_written()


def test_a_file_without_a_required_column_is_refused(fund, district_staff):
    headers = [h for h in HEADERS if h != "Mã chứng từ"]
    book = openpyxl.Workbook()
    book.active.append(headers)
    out = io.BytesIO()
    book.save(out)

    result = donations_import(uploaded=out.getvalue(), by=district_staff, dry_run=True, name="x.xlsx")

    assert codes(result) == [(None, "columns")]
    assert "Mã chứng từ" in result.errors[0].message


def test_a_file_with_headers_only_is_refused(fund, district_staff):
    assert codes(run(district_staff, [])) == [(None, "no_rows")]


def test_a_csv_file_is_imported_like_an_xlsx(fund, district_staff):
    day = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    text = ",".join(HEADERS[:9]) + f'\n{day},"1.500.000",Chuyển khoản,Phạm Thu Hà,,huyen-mot,,,CK-9\n'

    result = donations_import(uploaded=text.encode(), by=district_staff, dry_run=False, name="ung-ho.csv")

    assert result.ok, result.error_messages()
    assert Donation.objects.get().amount == 1_500_000


def test_composed_and_decomposed_diacritics_name_the_same_donor(fund, district_staff):
    composed = unicodedata.normalize("NFC", "Nguyễn Thị Hường")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed

    result = run(district_staff, [line("PT-1", donor_name=composed), line("PT-2", donor_name=decomposed)])
    assert result.ok and result.new_donors == 1
    again = run(district_staff, [line("PT-3", donor_name=f"  {decomposed.upper()} ")])
    assert again.ok and again.new_donors == 0

    donor = Donor.objects.get()
    assert donor.name == composed and donor.kind == DonorKind.INDIVIDUAL
    assert set(Donation.objects.values_list("donor_id", flat=True)) == {donor.pk}


def test_names_that_differ_only_by_their_tones_are_different_donors(fund, district_staff):
    result = run(
        district_staff, [line("PT-1", donor_name="Lê Văn Thành"), line("PT-2", donor_name="Lê Văn Thanh")]
    )

    assert result.ok and Donor.objects.count() == 2


def test_a_tax_code_finds_the_donor_that_has_it(tree, fund, district_staff):
    company = DonorFactory(unit=tree["d1"], name="Công ty TNHH Mía đường Lam Sơn", tax_code="2800100123")

    result = run(
        district_staff,
        [
            line("PT-1", donor_name="Cty Lam Sơn", tax_code="2800100123"),
            line("PT-2", tax_code=2800100123),
            line("PT-3", donor_name="Công ty Cổ phần Hoa Sen", tax_code="0100686174-123"),
        ],
    )

    assert result.ok, result.error_messages()
    assert (
        list(Donation.objects.order_by("import_key").values_list("donor_id", flat=True))[:2]
        == [company.pk] * 2
    )
    new = Donor.objects.get(tax_code="0100686174-123")
    assert new.kind == DonorKind.BUSINESS and new.name == "Công ty Cổ phần Hoa Sen"


def test_a_new_tax_code_needs_a_name_and_a_bad_tax_code_is_refused(fund, district_staff):
    result = run(district_staff, [line("PT-1", tax_code="0101234567"), line("PT-2", tax_code="12345")])

    assert codes(result) == [(2, "donor_name_required"), (3, "tax_code")]
    assert nothing_written()


def test_goods_go_into_stock_and_need_a_description_and_a_quantity(fund, district_staff):
    refused = run(district_staff, [line("PT-1", kind="Hiện vật", amount="6.000.000")])
    assert codes(refused) == [(2, "goods")]

    rows = [
        line(
            "PT-1",
            kind="Hiện vật",
            amount="6.000.000",
            goods_description="Áo ấm",
            goods_quantity=40,
            goods_unit="chiếc",
        ),
        line(
            "PT-2",
            kind="Hiện vật",
            amount="3.000.000",
            goods_description="Áo ấm",
            goods_quantity="20",
            goods_unit="chiếc",
        ),
    ]
    result = run(district_staff, rows)

    assert result.ok, result.error_messages()
    assert StockItem.objects.get(fund=fund, name="Áo ấm", unit_of_measure="chiếc").quantity == 60
    assert set(LedgerEntry.objects.values_list("medium", flat=True)) == {Medium.GOODS}
    assert set(Donation.objects.values_list("kind", flat=True)) == {DonationKind.GOODS}


def test_an_auditor_may_not_import(tree, fund):
    auditor = UserFactory(role=Role.AUDITOR, unit=tree["d1"])

    # The service refuses before it reads the file (fund_portal.authority), with a Vietnamese message.
    with pytest.raises(NotAllowed):
        run(auditor, [line("PT-1")])

    assert nothing_written()


def test_the_template_has_the_headers_the_import_reads_and_instructions(tree, fund, district_staff):
    FundFactory(unit=tree["d2"], code="huyen-hai")
    book = openpyxl.load_workbook(io.BytesIO(donations_import_template(by=district_staff)))
    sheet, instructions = book.worksheets
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet.max_row == 1
    first_column = {row[0] for row in instructions.iter_rows(values_only=True)}
    assert first_column >= set(HEADERS)
    assert "huyen-mot" in first_column and "huyen-hai" not in first_column

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    sheet.append([yesterday, 750000, "Tiền mặt", "Đỗ Minh Quân", "", "huyen-mot", "", "", "BL-01"])
    out = io.BytesIO()
    book.save(out)
    result = donations_import(uploaded=out.getvalue(), by=district_staff, dry_run=False, name="mau.xlsx")

    assert result.ok, result.error_messages()
    assert Donation.objects.get().amount == 750_000


def test_the_command_imports_a_file_and_prints_a_summary(tmp_path, fund, district_staff):
    path = tmp_path / "ung-ho.xlsx"
    path.write_bytes(xlsx([line("PT-1", amount="1.000.000"), line("PT-2", amount="2.000.000")]).getvalue())
    out = io.StringIO()

    call_command("import_donations", str(path), "--user", district_staff.username, "--dry-run", stdout=out)
    assert not Donation.objects.exists()
    assert "3.000.000 ₫" in out.getvalue()

    out = io.StringIO()
    call_command("import_donations", str(path), "--user", district_staff.username, stdout=out)
    year = timezone.localdate().year
    assert Donation.objects.posted().count() == 2
    numbers = Donation.objects.posted().filter(receipt_year=year).values_list("receipt_number", flat=True)
    assert len(numbers) == 2 and all(number in out.getvalue() for number in numbers)


def test_the_command_refuses_a_bad_file_with_command_error_and_writes_nothing(tmp_path, fund, district_staff):
    path = tmp_path / "ung-ho.xlsx"
    path.write_bytes(xlsx([line("PT-1"), line("PT-2", amount="1.000,000"), line("PT-1")]).getvalue())
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_donations", str(path), "--user", district_staff.username, stderr=err)

    assert "“1.000,000”" in err.getvalue() and "PT-1" in err.getvalue()
    assert err.getvalue().count("\n") == 2
    assert nothing_written()


def test_the_command_refuses_an_unknown_user(tmp_path, fund):
    path = tmp_path / "ung-ho.xlsx"
    path.write_bytes(xlsx([line("PT-1")]).getvalue())

    with pytest.raises(CommandError, match="khong-co-ai"):
        call_command("import_donations", str(path), "--user", "khong-co-ai")


def test_the_baseline_resource_reads_the_same_file_as_pending_donations(fund, district_staff):
    from import_export.formats.base_formats import XLSX

    rows = [
        line("PT-1", amount="1.000.000", donor_name="An"),
        line("PT-2", amount=250000, kind="Chuyển khoản"),
    ]
    dataset = XLSX().create_dataset(xlsx(rows).getvalue())

    result = DonationResource(user=district_staff).import_data(dataset, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert sorted(Donation.objects.values_list("import_key", "amount", "status")) == [
        ("PT-1", 1_000_000, DonationStatus.PENDING),
        ("PT-2", 250_000, DonationStatus.PENDING),
    ]

    again = DonationResource(user=district_staff).import_data(XLSX().create_dataset(xlsx(rows).getvalue()))
    assert again.has_validation_errors()
    assert [row.number for row in again.invalid_rows] == [1, 2]
    assert Donation.objects.count() == 2


def test_the_copy_columns_name_every_column_the_database_requires():
    """A column added to Donation or LedgerEntry without a database default must be loaded too."""
    for model, columns in ((Donation, DONATION_COLUMNS), (LedgerEntry, ENTRY_COLUMNS)):
        required = {
            f.column
            for f in model._meta.concrete_fields
            if not f.null and not f.primary_key and f.db_default is NOT_PROVIDED
        }
        existing = {f.column for f in model._meta.concrete_fields}
        assert required <= set(columns) <= existing, model


def test_a_copy_row_puts_each_named_value_in_its_column_and_leaves_the_others_blank():
    values = donation_copy_row(id=7, amount=500_000, message="Chúc các em")
    row = dict(zip(DONATION_COLUMNS, values, strict=True))

    assert (row["id"], row["amount"], row["message"]) == (7, 500_000, "Chúc các em")
    assert (row["goods_description"], row["donor_name"], row["restriction_need"]) == ("", "", "")
    assert (row["donor_id"], row["transfer_reference"], row["posted_at"]) == (None, None, None)
    with pytest.raises(ValueError, match="amuont"):
        donation_copy_row(id=7, amuont=500_000)


def test_the_import_benchmark_measures_the_fast_path_the_library_and_copy_on_a_small_file():
    from bench.benchmarks.donations_import import bench_donation_import

    measures = {m.measure.split(",")[0]: m for m in bench_donation_import(rows=300)}

    fast = measures["donation import: fast path"]
    assert fast.value > 0 and fast.baseline > 0 and fast.passed
    # The median of three runs, each shown: the middle one is the figure.
    runs = [float(t) for t in fast.note.split("median of 3 runs: ")[1].split(" s")[0].split(" / ")]
    assert len(runs) == 3 and sorted(runs)[1] == pytest.approx(fast.value, abs=0.06)
    assert measures["donation import: fast path vs django-import-export"].bound == "min"
    limit = measures["donation import: physical limit"]
    assert limit.value > 0 and "unindexed unlogged table" in limit.measure and limit.target is None
    assert measures["donation import: fast path vs the physical limit"].unit == "x the time"
    assert measures["donation import: django-import-export vs the physical limit"].value > 0
    assert not Donation.objects.filter(import_key__startswith="BENCH-").exists()  # rolled back
    assert "bench_copy_limit" not in connection.introspection.table_names()  # the limit's table too


def test_the_resource_exports_posted_donations_under_the_template_headers(fund, district_staff):
    assert run(
        district_staff, [line("PT-1", amount="1.200.000", donor_name="Vũ Thị Mai", kind="Chuyển khoản")]
    ).ok

    dataset = DonationResource(user=district_staff).export(Donation.objects.all())

    assert dataset.headers == HEADERS
    (exported,) = dataset.dict
    assert exported["Số tiền"] == 1_200_000 and exported["Mã chứng từ"] == "PT-1"
    assert exported["Nhà tài trợ"] == "Vũ Thị Mai" and exported["Quỹ"] == "huyen-mot"
    assert exported["Hình thức"] == str(DonationKind.TRANSFER.label)
