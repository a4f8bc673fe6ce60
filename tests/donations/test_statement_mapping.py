"""A statement whose layout no bank's layout names: staff say once which column is what, in the admin.

The file is kept (privately, for a day) while staff map it, the mapping is kept for the account, and
the statement imported by it; the next statement of the same layout for that account is read without
asking. Every file here is written by the test, in the shape of an export the portal does not know.
"""

import csv
import datetime as dt
import io
import os
import re
import time
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from donations.admin.statement_mapping import SESSION_KEY
from donations.imports.statement_uploads import upload_keep, uploads_folder
from donations.imports.statements import statement_read
from donations.models import (
    BankAccount,
    BankStatement,
    BankStatementLine,
    DonationStatus,
    StatementLayoutMapping,
    StatementLineStatus,
)
from donations.services.donations import donation_create
from donations.services.statement_mappings import statement_mapping_save
from fund_portal.authority import NotAllowed
from fund_portal.models import Role
from tests.factories import UserFactory, give_totp, staff

pytestmark = pytest.mark.django_db(transaction=False)

ACCOUNT_NUMBER = "3509205000123"
#: A cooperative bank's export: nothing in it is a column name the portal knows.
HEADER = ["STT", "Thời điểm", "Số hiệu GD", "Tiền vào", "Tiền ra", "Thông tin chuyển khoản"]
#: The columns of HEADER, from 0: what staff choose on the page.
MAPPING = {"booked_on": 1, "bank_ref": 2, "credit": 3, "debit": 4, "description": 5}


@pytest.fixture(autouse=True)
def _own_var_dir(settings, tmp_path):
    """Each test keeps its files in a folder of its own (the kept statements are under VAR_DIR)."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "media"


@pytest.fixture
def account(fund):
    return BankAccount.objects.create(
        fund=fund,
        bank_name="Quỹ tín dụng nhân dân",
        bank_bin="970405",
        account_number=ACCOUNT_NUMBER,
        account_name="QUY BTTE HUYEN MOT",
        is_default=True,
    )


@pytest.fixture
def pending(fund, yesterday):
    return donation_create(
        fund=fund, amount=500_000, received_on=yesterday, kind="transfer", with_transfer_reference=True
    )


def statement_rows(day, pending, *, preamble=3, first_ref=1):
    """The export: a preamble of `preamble` rows, the header, transactions, a closing total."""
    rows = [
        ["QUỸ TÍN DỤNG NHÂN DÂN XÃ AN"],
        [f"Số tài khoản: {ACCOUNT_NUMBER}"],
        ["Loại tiền: VND"],
        ["Sao kê từ đầu tháng"],
    ][:preamble]
    rows.append(HEADER)
    rows += [
        [
            "1",
            f"{day:%d/%m/%Y}",
            f"GD{first_ref:04d}",
            "500.000",
            "",
            f"NGUYEN THI MAI ung ho {pending.transfer_reference}",
        ],
        ["2", f"{day:%d/%m/%Y}", f"GD{first_ref + 1:04d}", "", "120.000", "Chi phi dich vu"],
        ["3", f"{day:%d/%m/%Y}", f"GD{first_ref + 2:04d}", "300.000", "", "Tran Van Binh ung ho tre em"],
        ["", "Cộng phát sinh", "", "800.000", "120.000", ""],
    ]
    return rows


def csv_upload(rows, name="sao-ke-qtd.csv"):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    upload = io.BytesIO(out.getvalue().encode("utf-8"))
    upload.name = name
    return upload


def xlsx_upload(rows, name="sao-ke-qtd.xlsx"):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(
            [
                dt.date(*map(int, reversed(c.split("/")))) if re.fullmatch(r"\d\d/\d\d/\d{4}", c) else c
                for c in row
            ]
        )
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = name
    return out


UPLOADS = {"csv": csv_upload, "xlsx": xlsx_upload}


def upload(client, account, file):
    return client.post(
        reverse("admin:donations_bankstatement_add"), {"bank_account": account.pk, "file": file}
    )


def token_of(response) -> str:
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/admin/donations/bankstatement/mapping/([\w-]+)/", response["Location"])
    assert match, response["Location"]
    return match.group(1)


def mapping_url(token: str) -> str:
    return reverse("admin:donations_bankstatement_mapping", kwargs={"token": token})


def mapping_form(header_row: int, columns: dict) -> dict:
    return {"header_row": header_row, **{name: "" if at is None else at for name, at in columns.items()}}


def kept_files() -> list[Path]:
    folder = uploads_folder()
    return sorted(folder.iterdir()) if folder.is_dir() else []


def nothing_written() -> bool:
    return not (
        StatementLayoutMapping.objects.exists()
        or BankStatement.objects.exists()
        or BankStatementLine.objects.exists()
    )


@pytest.mark.parametrize("kind", UPLOADS)
def test_an_unknown_layout_shows_the_first_rows_and_asks_which_column_is_what(
    client, account, pending, district_staff, yesterday, kind
):
    client.force_login(district_staff)

    token = token_of(upload(client, account, UPLOADS[kind](statement_rows(yesterday, pending))))
    page = client.get(mapping_url(token))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Thông tin chuyển khoản" in html and "Tiền vào" in html and "Số tài khoản: 3509205000123" in html
    assert f"{yesterday:%d/%m/%Y}" in html and "Tran Van Binh ung ho tre em" in html
    assert "Hệ thống chưa nhận ra cách trình bày của tệp" in html and "Vietcombank, BIDV" in html
    assert "ngày, tiền vào và nội dung" in html
    # The guessed header row (the first with three cells) is ticked; the preamble rows are choices too.
    assert page.context["form"]["header_row"].initial == 4
    assert [row.number for row in page.context["form"].rows.values()] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert nothing_written()
    # The file is kept privately, not under the media folder the web server may serve.
    [kept] = kept_files()
    assert kept.name == token and Path(settings.VAR_DIR) in kept.parents
    assert Path(settings.MEDIA_ROOT) not in kept.parents and oct(kept.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("kind", UPLOADS)
def test_the_mapping_is_kept_and_the_statement_imported_by_it(
    client, account, pending, district_staff, yesterday, kind
):
    client.force_login(district_staff)
    token = token_of(upload(client, account, UPLOADS[kind](statement_rows(yesterday, pending))))

    response = client.post(mapping_url(token), mapping_form(4, MAPPING), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:donations_bankstatementline_changelist")
    shown = [str(m) for m in response.context["messages"]]
    assert "2 dòng mới, 1 dòng đã khớp và ghi sổ." in shown
    assert any("đọc mà không cần hỏi lại" in m for m in shown)
    mapping = StatementLayoutMapping.objects.get(bank_account=account)
    assert mapping.header == [
        "stt",
        "thoi diem",
        "so hieu gd",
        "tien vao",
        "tien ra",
        "thong tin chuyen khoan",
    ]
    assert mapping.columns == MAPPING and mapping.saved_by == district_staff
    pending.refresh_from_db()
    assert pending.status == DonationStatus.POSTED and pending.receipt_number
    lines = {line.bank_ref: line for line in BankStatementLine.objects.all()}
    assert set(lines) == {"GD0001", "GD0003"}
    assert lines["GD0001"].status == StatementLineStatus.MATCHED and lines["GD0001"].donation == pending
    assert lines["GD0003"].amount == 300_000 and lines["GD0003"].booked_on == yesterday
    # The kept file is deleted after use, and the token forgotten.
    assert kept_files() == [] and token not in client.session.get(SESSION_KEY, {})
    again = client.get(mapping_url(token), follow=True)
    assert "Tệp đã tải lên không còn được giữ" in again.content.decode()


def test_the_next_statement_of_the_layout_is_read_without_asking(
    client, account, pending, district_staff, yesterday
):
    client.force_login(district_staff)
    token = token_of(upload(client, account, csv_upload(statement_rows(yesterday, pending))))
    client.post(mapping_url(token), mapping_form(4, MAPPING))
    later = donation_create(
        fund=account.fund,
        amount=500_000,
        received_on=yesterday,
        kind="transfer",
        with_transfer_reference=True,
    )

    # The next month's export: a longer preamble, so the header is one row lower, and an XLSX now.
    response = upload(
        client, account, xlsx_upload(statement_rows(yesterday, later, preamble=4, first_ref=11))
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:donations_bankstatementline_changelist")
    later.refresh_from_db()
    assert later.status == DonationStatus.POSTED
    assert BankStatement.objects.count() == 2 and BankStatementLine.objects.count() == 4
    assert kept_files() == []


def test_a_second_account_does_not_use_the_first_accounts_mapping(
    client, account, pending, district_staff, yesterday
):
    statement_mapping_save(bank_account=account, header=HEADER, columns=MAPPING, by=district_staff)
    other = BankAccount.objects.create(
        fund=account.fund,
        bank_name="Quỹ tín dụng nhân dân",
        bank_bin="970405",
        account_number="3509205000999",
        account_name="QUY BTTE HUYEN MOT",
    )
    rows = [row for row in statement_rows(yesterday, pending) if "Số tài khoản" not in row[0]]
    client.force_login(district_staff)

    token = token_of(upload(client, other, csv_upload(rows)))

    assert client.get(mapping_url(token)).status_code == 200
    assert not BankStatement.objects.exists()
    with pytest.raises(ValidationError) as refused:
        statement_read(csv_upload(rows), name="x.csv", bank_account=other)
    assert refused.value.code == "unknown_layout"
    assert len(statement_read(csv_upload(rows), name="x.csv", bank_account=account).lines) == 2


BAD_MAPPINGS = {
    "no date": (4, {**MAPPING, "booked_on": None}, "Hãy chọn cột ngày."),
    "no money column": (
        4,
        {**MAPPING, "credit": None, "debit": None},
        "Hãy chọn cột tiền vào, hoặc số tiền có dấu.",
    ),
    "the same column twice": (4, {**MAPPING, "bank_ref": 5}, "Cột F được chọn cho nội dung, số giao dịch"),
    "a signed amount beside money in": (
        4,
        {**MAPPING, "amount": 0},
        "Số tiền có dấu gồm cả tiền vào và tiền ra",
    ),
    "a forged column": (4, {**MAPPING, "bank_ref": 99}, "Hãy chọn một lựa chọn hợp lệ. 99"),
    "a forged header row": (40, MAPPING, "Hãy chọn một lựa chọn hợp lệ. 40"),
    "a transaction as header": (5, MAPPING, "có ngày ở cột B: đó là một giao dịch"),
    "a date column that holds no date": (4, {**MAPPING, "booked_on": 0}, "“1” không phải là ngày"),
    "no header row": (None, MAPPING, "Hãy chọn dòng tiêu đề"),
}


@pytest.mark.parametrize("case", BAD_MAPPINGS)
def test_a_bad_mapping_is_refused_in_vietnamese_and_writes_nothing(
    client, account, pending, district_staff, yesterday, case
):
    header_row, columns, message = BAD_MAPPINGS[case]
    client.force_login(district_staff)
    token = token_of(upload(client, account, csv_upload(statement_rows(yesterday, pending))))
    form = mapping_form(header_row, columns)
    if header_row is None:
        del form["header_row"]

    response = client.post(mapping_url(token), form)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert nothing_written()
    pending.refresh_from_db()
    assert pending.status == DonationStatus.PENDING
    assert [path.name for path in kept_files()] == [token]  # kept for the mapping to be put right


def test_a_column_past_the_end_of_the_header_row_is_refused(
    client, account, pending, district_staff, yesterday
):
    """A data row wider than the header offers a seventh column; the header row has six."""
    rows = statement_rows(yesterday, pending)
    rows[4 + 1] = [*rows[4 + 1], "ghi chú"]
    client.force_login(district_staff)
    token = token_of(upload(client, account, csv_upload(rows)))

    response = client.post(mapping_url(token), mapping_form(4, {**MAPPING, "bank_ref": 6}))

    assert "Cột G không có trong dòng tiêu đề, dòng này có 6 cột." in response.content.decode()
    assert nothing_written()


def test_many_bad_rows_are_told_ten_at_a_time(client, account, pending, district_staff, yesterday):
    rows = statement_rows(yesterday, pending)
    rows[5:5] = [["9", "không rõ ngày", f"X{n}", "1.000", "", "ung ho"] for n in range(15)]
    client.force_login(district_staff)
    token = token_of(upload(client, account, csv_upload(rows)))

    response = client.post(mapping_url(token), mapping_form(4, MAPPING))

    errors = response.context["form"].non_field_errors()
    assert len(errors) == 11 and errors[-1] == "…và 5 lỗi nữa."
    assert nothing_written()


def test_a_stale_or_absent_token_is_told_and_writes_nothing(
    client, account, pending, district_staff, yesterday
):
    client.force_login(district_staff)
    token = token_of(upload(client, account, csv_upload(statement_rows(yesterday, pending))))
    [kept] = kept_files()
    day_and_more = time.time() - 25 * 3600
    os.utime(kept, (day_and_more, day_and_more))

    for url in (mapping_url(token), mapping_url("A" * 32), mapping_url("..db.sqlite3")):
        response = client.post(url, mapping_form(4, MAPPING), follow=True)
        assert response.redirect_chain[-1][0] == reverse("admin:donations_bankstatement_add")
        assert (
            "Tệp đã tải lên không còn được giữ (đã được nhập, hoặc đã quá một ngày)"
            in response.content.decode()
        )

    assert nothing_written() and kept_files() == []
    assert token not in client.session.get(SESSION_KEY, {})


def test_a_file_kept_over_a_day_is_deleted_when_another_is_kept():
    old = upload_keep(b"old")
    two_days = time.time() - 2 * 86400
    os.utime(uploads_folder() / old, (two_days, two_days))
    new = upload_keep(b"new")
    assert [path.name for path in kept_files()] == [new]


def test_a_token_of_another_session_is_not_honoured(
    client, account, pending, district_staff, second_staff, yesterday
):
    client.force_login(district_staff)
    token = token_of(upload(client, account, csv_upload(statement_rows(yesterday, pending))))
    client.force_login(second_staff)

    response = client.post(mapping_url(token), mapping_form(4, MAPPING), follow=True)

    assert "không còn được giữ" in response.content.decode()
    assert nothing_written()


def test_a_file_that_holds_no_table_is_refused_and_not_kept(client, account, district_staff):
    client.force_login(district_staff)
    file = io.BytesIO("Xin chào, đây không phải sao kê.\n".encode())
    file.name = "thu.csv"

    response = upload(client, account, file)

    assert response.status_code == 200
    assert "Không tìm thấy bảng sao kê" in response.content.decode()
    assert kept_files() == [] and nothing_written()


def _session_holding(client, user, account, yesterday, pending) -> str:
    """A session of `user` holding a kept file of `account` (as if the user had uploaded it)."""
    token = upload_keep(csv_upload(statement_rows(yesterday, pending)).getvalue())
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = {token: {"account": account.pk, "name": "sao-ke-qtd.csv"}}
    session.save()
    return token


def test_an_auditor_may_neither_see_nor_post_the_mapping_page(client, tree, account, pending, yesterday):
    auditor = UserFactory(role=Role.AUDITOR, unit=tree["d1"], username="kiemtra")
    give_totp(auditor)
    token = _session_holding(client, auditor, account, yesterday, pending)

    assert client.get(mapping_url(token)).status_code == 403
    assert client.post(mapping_url(token), mapping_form(4, MAPPING)).status_code == 403
    assert nothing_written()
    with pytest.raises(NotAllowed):
        statement_mapping_save(bank_account=account, header=HEADER, columns=MAPPING, by=auditor)


def test_staff_of_another_unit_may_neither_see_nor_post_the_mapping_page(
    client, tree, account, pending, yesterday
):
    elsewhere = staff(tree["d2"], username="tuan")
    token = _session_holding(client, elsewhere, account, yesterday, pending)

    assert client.get(mapping_url(token)).status_code == 404
    assert client.post(mapping_url(token), mapping_form(4, MAPPING)).status_code == 404
    assert nothing_written()
    with pytest.raises(ValidationError) as refused:
        statement_mapping_save(bank_account=account, header=HEADER, columns=MAPPING, by=elsewhere)
    assert refused.value.code == "scope" and nothing_written()


def test_a_forgotten_layout_is_asked_again(client, account, pending, district_staff, yesterday):
    mapping = statement_mapping_save(bank_account=account, header=HEADER, columns=MAPPING, by=district_staff)
    client.force_login(district_staff)

    client.post(
        reverse("admin:donations_statementlayoutmapping_changelist"),
        {"action": "forget", "_selected_action": [mapping.pk]},
    )

    assert not StatementLayoutMapping.objects.exists()
    token_of(upload(client, account, csv_upload(statement_rows(yesterday, pending))))


def test_a_saved_mapping_replaces_the_accounts_earlier_one(account, district_staff):
    statement_mapping_save(bank_account=account, header=HEADER, columns=MAPPING, by=district_staff)
    signed = {"booked_on": 1, "amount": 3, "description": 5}
    statement_mapping_save(bank_account=account, header=HEADER, columns=signed, by=district_staff)
    assert StatementLayoutMapping.objects.get().columns == signed


def test_a_table_with_a_bank_like_header_but_no_money_in_column_is_mapped_too(
    client, account, pending, district_staff, yesterday
):
    """Its date and description are a bank's names, its money in ("Tiền vào") is not: asked, then read."""
    rows = statement_rows(yesterday, pending)
    rows[3] = ["STT", "Ngày giao dịch", "Số hiệu GD", "Tiền vào", "Tiền ra", "Nội dung"]
    client.force_login(district_staff)

    token = token_of(upload(client, account, csv_upload(rows)))
    client.post(mapping_url(token), mapping_form(4, MAPPING))

    assert StatementLayoutMapping.objects.get().header[1] == "ngay giao dich"
    pending.refresh_from_db()
    assert pending.status == DonationStatus.POSTED
    assert len(statement_read(csv_upload(rows), name="x.csv", bank_account=account).lines) == 2


def test_a_long_preamble_shows_the_rows_from_just_above_the_header(
    client, account, pending, district_staff, yesterday
):
    rows = statement_rows(yesterday, pending)
    rows[3:3] = [[f"Ghi chú {n}"] for n in range(12)]  # the header is now row 16
    client.force_login(district_staff)

    page = client.get(mapping_url(token_of(upload(client, account, csv_upload(rows)))))

    shown = [row.number for row in page.context["form"].rows.values()]
    assert shown == list(range(14, 21)) and page.context["form"]["header_row"].initial == 16


def test_a_session_keeps_three_files_at_most(client, account, pending, district_staff, yesterday):
    client.force_login(district_staff)
    tokens = [
        token_of(upload(client, account, csv_upload(statement_rows(yesterday, pending)))) for _n in range(4)
    ]

    assert list(client.session[SESSION_KEY]) == tokens[1:]
    assert sorted(path.name for path in kept_files()) == sorted(tokens[1:])
