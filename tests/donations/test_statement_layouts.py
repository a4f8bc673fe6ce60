"""Bank statements read as each bank exports them: a preamble, the table, totals and balances below.

Every sample is written here, in the shape of the bank's export (made-up account and people).
"""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from donations.imports.statement_layouts import LAYOUTS
from donations.imports.statements import statement_read
from donations.models import BankAccount, BankStatement, BankStatementLine
from donations.services.statements import statement_import
from fund_portal.spreadsheets import open_rows
from tests.xls_writer import xls_bytes

pytestmark = pytest.mark.django_db(transaction=False)

ACCOUNT_NUMBER = "0011004455667"
BANKS = {layout.bank: layout for layout in LAYOUTS}
#: The full names banks print at the top of their statements.
FULL_NAMES = {
    "Vietcombank": "NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM - Vietcombank Chi nhánh Hà Nội",
    "BIDV": "NGÂN HÀNG TMCP ĐẦU TƯ VÀ PHÁT TRIỂN VIỆT NAM (BIDV) - CN Thanh Xuân",
    "VietinBank": "NGÂN HÀNG TMCP CÔNG THƯƠNG VIỆT NAM - VietinBank CN Đống Đa",
    "Agribank": "NGÂN HÀNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN VIỆT NAM - Agribank CN Láng Hạ",
    "Techcombank": "NGÂN HÀNG TMCP KỸ THƯƠNG VIỆT NAM - Techcombank",
    "MB": "NGÂN HÀNG TMCP QUÂN ĐỘI - MB Bank",
    "ACB": "NGÂN HÀNG TMCP Á CHÂU - ACB",
    "Sacombank": "NGÂN HÀNG TMCP SÀI GÒN THƯƠNG TÍN - Sacombank",
    "VPBank": "NGÂN HÀNG TMCP VIỆT NAM THỊNH VƯỢNG - VPBank",
    "TPBank": "NGÂN HÀNG TMCP TIÊN PHONG - TPBank",
}


def account_for(fund, layout, number=ACCOUNT_NUMBER) -> BankAccount:
    return BankAccount.objects.create(
        fund=fund,
        bank_name=layout.bank,
        bank_bin=layout.bin,
        account_number=number,
        account_name="QUY BAO TRO TRE EM HUYEN MOT",
        is_default=True,
    )


def transactions(day: dt.date) -> list[dict]:
    """The statement's transactions: money in with the amount written as banks do, money out, a fee."""
    return [
        {
            "date": f"{day:%d/%m/%Y} 08:15:02",
            "ref": "FT26335000101",
            "in": "1,250,000",
            "text": "CT DEN:0123 NGUYEN VAN AN\nung ho quy bao tro tre em",
        },
        {"date": f"{day:%d-%m-%Y}", "ref": "FT26335000102", "out": "200,000", "text": "Chi ho tro hoc sinh"},
        {
            "date": f"{day:%Y-%m-%d}",
            "ref": "FT26335000103",
            "in": "1250000.00",
            "text": "TRAN THI BINH ung ho",
        },
        {"date": f"{day:%d/%m/%Y}", "ref": "FT26335000104", "out": "11.000", "text": "Phi dich vu SMS"},
        {"date": f"{day:%d/%m/%Y}", "ref": "FT26335000105", "in": "1 250 000", "text": "LE VAN CUONG  ck"},
        {"date": f"{day:%d/%m/%Y}", "ref": "FT26335000106", "in": "500.000", "text": "Ung ho tre em"},
    ]


def expected_lines(day: dt.date) -> list[tuple]:
    return [
        (day, 1_250_000, "CT DEN:0123 NGUYEN VAN AN ung ho quy bao tro tre em", "FT26335000101"),
        (day, 1_250_000, "TRAN THI BINH ung ho", "FT26335000103"),
        (day, 1_250_000, "LE VAN CUONG ck", "FT26335000105"),
        (day, 500_000, "Ung ho tre em", "FT26335000106"),
    ]


def signed(layout) -> bool:
    """Whether the sample has one signed amount column (BIDV, ACB, TPBank) rather than credit and debit."""
    return bool(layout.amount)


def statement_rows(layout, day, *, number=ACCOUNT_NUMBER, entries=None, newest_first=False) -> list[list]:
    """The rows of the bank's export: preamble, header, transactions, totals and closing balance."""
    preamble = [
        [FULL_NAMES[layout.bank]],
        ["SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT"],
        ["Số tài khoản:", number],
        ["Tên tài khoản:", "QUY BAO TRO TRE EM HUYEN MOT"],
        ["Loại tiền:", "VND"],
        [f"Từ ngày {day:%d/%m/%Y} đến ngày {day:%d/%m/%Y}"],
        ["Số dư đầu kỳ:", "10,000,000"],
        ["Ngày in:", f"{day:%d/%m/%Y} 17:00"],
        [],
    ]
    money = [layout.amount[0]] if signed(layout) else [layout.debit[0], layout.credit[0]]
    header = [
        "STT",
        layout.booked_on[0],
        layout.bank_ref[0],
        *money,
        layout.balance[0],
        layout.description[0],
    ]
    entries = transactions(day) if entries is None else entries
    body = []
    balance = 10_000_000
    for number_in_list, entry in enumerate(entries, start=1):
        if signed(layout):
            amounts = [entry["in"] if "in" in entry else "-" + entry["out"]]
        else:
            amounts = [entry.get("out", ""), entry.get("in", "")]
        body.append([number_in_list, entry["date"], entry["ref"], *amounts, f"{balance:,}", entry["text"]])
    if newest_first:
        body.reverse()
    width = len(header)
    totals = ["Tổng số", *[""] * (width - 1)]
    closing = ["Số dư cuối kỳ", *[""] * (width - 2), "13,839,000"]
    return [*preamble, header, *body, totals, closing]


def csv_bytes(rows, *, delimiter=",", encoding="utf-8") -> io.BytesIO:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return io.BytesIO(out.getvalue().encode(encoding))


def xlsx_bytes(rows) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


FORMATS = {
    "csv": lambda rows: csv_bytes(rows),
    "csv-bom-semicolon": lambda rows: csv_bytes(rows, delimiter=";", encoding="utf-8-sig"),
    "csv-utf16-tab": lambda rows: csv_bytes(rows, delimiter="\t", encoding="utf-16"),
    "xlsx": xlsx_bytes,
    "xls": lambda rows: io.BytesIO(xls_bytes(rows)),
    # A small workbook (under 4 kB), as Excel stores it: in the compound file's mini stream.
    "xls-small": lambda rows: io.BytesIO(xls_bytes(rows, mini=True)),
}


def read_lines(statement) -> list[tuple]:
    return [(line.booked_on, line.amount, line.description, line.bank_ref) for line in statement.lines]


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("bank", BANKS)
def test_each_banks_export_reads_its_incoming_lines_and_skips_the_rest(fund, yesterday, bank, file_format):
    layout = BANKS[bank]
    account = account_for(fund, layout)
    uploaded = FORMATS[file_format](statement_rows(layout, yesterday))

    statement = statement_read(uploaded, name=f"sao-ke.{file_format[:4]}", bank_account=account)

    assert statement.layout.bank == bank
    assert (statement.account_number, statement.currency) == (ACCOUNT_NUMBER, "VND")
    assert statement.period.startswith("Từ ngày")
    assert read_lines(statement) == expected_lines(yesterday)
    assert statement.outgoing_rows == [12, 14]  # the payment and the fee; totals and balances skipped


@pytest.mark.parametrize("bank", ["Vietcombank", "BIDV"])
def test_a_newest_first_export_reads_the_same_lines(fund, yesterday, bank):
    layout = BANKS[bank]
    account = account_for(fund, layout)
    rows = statement_rows(layout, yesterday, newest_first=True)

    statement = statement_read(csv_bytes(rows), name="a.csv", bank_account=account)

    assert sorted(read_lines(statement), key=lambda line: line[3]) == expected_lines(yesterday)


def test_amounts_are_read_in_every_way_banks_write_them(fund, yesterday):
    layout = BANKS["Vietcombank"]
    account = account_for(fund, layout)
    written = ["1,250,000", "1.250.000", "1250000.00", "1 250 000", "1,250,000.00", "1.250.000,00", "1250000"]
    entries = [
        {"date": f"{yesterday:%d/%m/%Y}", "ref": f"FT{n}", "in": amount, "text": "ung ho"}
        for n, amount in enumerate(written)
    ]

    statement = statement_read(
        csv_bytes(statement_rows(layout, yesterday, entries=entries)), name="a.csv", bank_account=account
    )

    assert [line.amount for line in statement.lines] == [1_250_000] * len(written)


def test_an_xlsx_export_with_number_and_date_cells_reads_the_same(fund, yesterday):
    layout = BANKS["Techcombank"]
    account = account_for(fund, layout)
    booked = dt.datetime.combine(yesterday, dt.time(9, 30))  # noqa: DTZ001  an Excel cell has no zone
    entries = [
        {"date": booked, "ref": "FT1", "in": 1_250_000, "text": "ung ho"},
        {"date": booked, "ref": "FT2", "out": 200_000, "text": "chi"},
        {"date": booked, "ref": "FT3", "in": 500_000.0, "text": "ung ho"},
    ]
    rows = statement_rows(layout, yesterday, entries=entries)
    rows[2][1] = int(ACCOUNT_NUMBER)  # an account number typed as a number loses its leading zeros

    statement = statement_read(xlsx_bytes(rows), name="a.xlsx", bank_account=account)

    assert read_lines(statement) == [
        (yesterday, 1_250_000, "ung ho", "FT1"),
        (yesterday, 500_000, "ung ho", "FT3"),
    ]
    assert statement.outgoing_rows == [12]


@pytest.mark.parametrize("bank", ["Vietcombank", "ACB", "Sacombank"])
def test_the_same_statement_imported_again_or_re_exported_respaced_creates_nothing_new(
    fund, district_staff, yesterday, bank
):
    layout = BANKS[bank]
    account = account_for(fund, layout)
    first = statement_import(
        bank_account=account,
        uploaded=csv_bytes(statement_rows(layout, yesterday)),
        by=district_staff,
        name="sao-ke.csv",
    )
    respaced = transactions(yesterday)
    for entry in respaced:
        entry["text"] = "  " + entry["text"].replace(" ", "   ").replace("\n", "\r\n") + " "
        entry["ref"] = entry["ref"][:6] + " " + entry["ref"][6:].lower()

    again = statement_import(
        bank_account=account,
        uploaded=csv_bytes(statement_rows(layout, yesterday)),
        by=district_staff,
        name="a.csv",
    )
    re_exported = statement_import(
        bank_account=account,
        uploaded=xlsx_bytes(statement_rows(layout, yesterday, entries=respaced, newest_first=True)),
        by=district_staff,
        name="sao-ke (1).xlsx",
    )

    assert (first.new_lines, first.known_lines) == (4, 0)
    assert (again.new_lines, again.known_lines) == (0, 4)
    assert (re_exported.new_lines, re_exported.known_lines) == (0, 4)
    assert BankStatementLine.objects.count() == 4


def assert_refused(account, district_staff, uploaded, code) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        statement_import(bank_account=account, uploaded=uploaded, by=district_staff, name="sao-ke.csv")
    assert code in {getattr(error.value, "code", None), *(e.code for e in error.value.error_list)}
    assert not BankStatement.objects.exists() and not BankStatementLine.objects.exists()
    return error.value


def test_the_statement_of_another_account_is_refused_naming_its_account(fund, district_staff, yesterday):
    layout = BANKS["Vietcombank"]
    account = account_for(fund, layout)
    uploaded = csv_bytes(statement_rows(layout, yesterday, number="0011 0099 88777"))

    error = assert_refused(account, district_staff, uploaded, "other_account")

    assert error.messages == [
        f"Tệp này là sao kê của tài khoản 0011009988777, không phải của tài khoản đã chọn {ACCOUNT_NUMBER}."
    ]


def test_a_statement_of_another_bank_is_refused_naming_both_banks(fund, district_staff, yesterday):
    account = account_for(fund, BANKS["Agribank"])
    rows = statement_rows(BANKS["Vietcombank"], yesterday)
    rows[2] = []  # no account number above the table: the bank's name is what tells

    error = assert_refused(account, district_staff, csv_bytes(rows), "other_bank")

    assert error.messages == [
        f"Tệp này là sao kê của Vietcombank; tài khoản đã chọn {ACCOUNT_NUMBER} mở tại Agribank."
    ]


def test_a_statement_without_transactions_is_refused(fund, district_staff, yesterday):
    layout = BANKS["MB"]
    account = account_for(fund, layout)
    rows = statement_rows(layout, yesterday, entries=[])

    error = assert_refused(account, district_staff, csv_bytes(rows), "empty_table")

    assert "10" in error.messages[0]  # the header's row


def test_a_table_without_a_money_in_column_is_refused(fund, district_staff, yesterday):
    layout = BANKS["Agribank"]
    account = account_for(fund, layout)
    rows = statement_rows(layout, yesterday)
    rows[9] = ["STT", "Ngày giao dịch", "Số chứng từ", "Phát sinh nợ", "Số dư", "Nội dung"]

    error = assert_refused(account, district_staff, csv_bytes(rows), "no_credit_column")

    assert "10" in error.messages[0]


def test_a_date_that_cannot_be_read_is_refused_with_its_row(fund, district_staff, yesterday):
    layout = BANKS["VietinBank"]
    account = account_for(fund, layout)
    entries = transactions(yesterday)
    entries[2]["date"] = "31/13/2026"

    error = assert_refused(
        account, district_staff, csv_bytes(statement_rows(layout, yesterday, entries=entries)), "date"
    )

    assert len(error.messages) == 1 and " 13:" in error.messages[0] and "31/13/2026" in error.messages[0]


def test_a_bank_reference_seen_twice_in_one_file_is_refused(fund, district_staff, yesterday):
    layout = BANKS["VPBank"]
    account = account_for(fund, layout)
    entries = transactions(yesterday)
    entries[4]["ref"] = entries[0]["ref"]

    error = assert_refused(
        account,
        district_staff,
        csv_bytes(statement_rows(layout, yesterday, entries=entries)),
        "duplicate_ref",
    )

    assert len(error.messages) == 1 and "FT26335000101" in error.messages[0]
    assert " 15" in error.messages[0] and " 11" in error.messages[0]


def test_a_statement_in_another_currency_is_refused(fund, district_staff, yesterday):
    layout = BANKS["TPBank"]
    account = account_for(fund, layout)
    rows = statement_rows(layout, yesterday)
    rows[4] = ["Loại tiền:", "USD"]

    assert_refused(account, district_staff, csv_bytes(rows), "currency")


@pytest.mark.parametrize(
    "far_cell,code", [((65535, 255), "too_many_rows"), ((65535, 99), "bomb"), ((200_000 // 4, 3), None)]
)
def test_an_xls_whose_cells_reach_far_is_refused_before_it_is_read(far_cell, code):
    """The .xls reader allocates the rectangle up to the last cell: 6 kB made the process 1 GB larger."""
    row, column = far_cell
    data = xls_bytes([["a"], *[[]] * (row - 1), [*[None] * column, "z"]])
    if code is None:
        assert open_rows(data, name="ok.xls")[-1] == (row + 1, [*[""] * column, "z"])
        return
    with pytest.raises(ValidationError) as error:
        open_rows(data, name="bom.xls")
    assert error.value.code == code


def test_a_date_cell_with_the_banks_number_on_its_next_line_reads_as_the_date(fund, yesterday):
    layout = BANKS["Techcombank"]
    account = account_for(fund, layout)
    entries = [{"date": f"{yesterday:%d/%m/%Y}\n5243.65937", "ref": "FT1", "in": "99,000", "text": "ung ho"}]

    statement = statement_read(
        csv_bytes(statement_rows(layout, yesterday, entries=entries)), name="a.csv", bank_account=account
    )

    assert read_lines(statement) == [(yesterday, 99_000, "ung ho", "FT1")]
