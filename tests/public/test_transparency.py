"""/transparency/ (công khai): the figures equal the ledger to the đồng, and the files equal the page."""

import csv
import datetime as dt
import io

import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook

from donations.models import LedgerEntry

from .conftest import give
from .helpers import opening_row, statement_rows, text_of

pytestmark = pytest.mark.django_db


def page(client, **params):
    response = client.get("/transparency/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_each_years_rows_plus_the_balance_brought_forward_equal_the_ledger_to_the_dong(client, site):
    fund = site["fund"]
    years = sorted(
        {d.year for d in LedgerEntry.objects.filter(fund=fund).values_list("entry_date", flat=True)}
    )
    assert len(years) == 2
    all_rows = 0
    for year in years:
        html = page(client, fund=fund.code, year=year)
        rows = statement_rows(html)
        assert rows, year
        opening_cash, opening_goods = opening_row(html)
        net = sum(r[0] + r[1] - r[2] - r[3] for r in rows.values())
        up_to_year_end = LedgerEntry.objects.filter(fund=fund, entry_date__year__lte=year).aggregate(
            s=Sum("amount")
        )
        assert opening_cash + opening_goods + net == up_to_year_end["s"]
        in_year = LedgerEntry.objects.filter(fund=fund, entry_date__year=year).aggregate(s=Sum("amount"))
        assert net == in_year["s"]
        all_rows += net
        last = rows[max(rows, key=lambda m: (m[3:], m[:2]))]
        assert last[4] + last[5] == up_to_year_end["s"]  # the closing balances
    assert all_rows == LedgerEntry.objects.filter(fund=fund).aggregate(s=Sum("amount"))["s"]


def test_reversed_donations_and_goods_are_on_their_own_side_of_the_statement(client, site):
    today = timezone.localdate()
    html = page(client, fund=site["fund"].code, year=today.year)
    rows = statement_rows(html)
    cash_in = sum(r[0] for r in rows.values())
    goods_in = sum(r[1] for r in rows.values())
    cash_out = sum(r[2] for r in rows.values())
    # 2.000.000 + 700.000 + 900.000 + 250.000 + 1.000.000 + 600.000 given, 600.000 of it reversed.
    assert cash_in == 4_850_000
    assert goods_in == 4_000_000
    assert cash_out == 1_500_000
    assert "Số dư đầu kỳ" in html


def test_the_csv_and_xlsx_hold_exactly_the_rows_of_the_page(client, site):
    fund, year = site["fund"], timezone.localdate().year
    html = page(client, fund=fund.code, year=year)
    rows = statement_rows(html)
    response = client.get("/transparency/statement.csv", {"fund": fund.code, "year": year})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][0] == "Tháng"
    body = {r[0]: [int(v or 0) for v in r[1:]] for r in table[2:-1]}
    assert body == rows
    assert [int(v) for v in table[1][5:]] == opening_row(html)
    workbook = load_workbook(
        io.BytesIO(client.get("/transparency/statement.xlsx", {"fund": fund.code, "year": year}).content)
    )
    sheet_rows = [list(r) for r in workbook.active.iter_rows(values_only=True)]
    # Above the table, the XLSX says what the figures are; the CSV is the table alone.
    assert [r[0] for r in sheet_rows[:4]] == [
        f"{fund.name} · {fund.unit.name}",
        f"Tiền và hiện vật đã nhận, đã chi năm {year}",
        "Đơn vị tính: đồng",
        None,
    ]
    assert [[str(v) if v is not None else "" for v in r] for r in sheet_rows[4:]] == table


def test_the_csv_opens_in_columns_in_a_vietnamese_excel_and_the_xlsx_is_offered_first(client, site):
    """Excel set for Vietnam reads a decimal comma, so it splits a CSV at semicolons."""
    fund, year = site["fund"], timezone.localdate().year
    content = client.get("/transparency/statement.csv", {"fund": fund.code, "year": year}).content
    assert content.startswith("\ufeff".encode())
    first_line = content.decode("utf-8-sig").splitlines()[0]
    assert first_line.startswith("Tháng;Tiền đã nhận;") and "," not in first_line
    html = page(client, fund=fund.code, year=year)
    assert html.index("statement.xlsx") < html.index("statement.csv")
    assert "Tải về cho Excel (XLSX)" in html and "CSV (phân cách bằng dấu chấm phẩy)" in html


def test_spending_is_shown_by_purpose_and_by_commune(client, site):
    text = text_of(page(client, fund=site["fund"].code))
    assert "Chi theo mục đích" in text and "Chi theo xã" in text
    assert "Dinh dưỡng, khám chữa bệnh 1.200.000 ₫" in " ".join(text.split())
    assert "Xã An 1.200.000 ₫" in " ".join(text.split())
    assert "Chi chung của Quỹ 300.000 ₫" in " ".join(text.split())


def test_the_donor_list_shows_each_donor_as_they_chose(client, site):
    today = timezone.localdate()
    for day in (50, 45, 40, 35):
        when = today - dt.timedelta(days=day)
        text = text_of(page(client, fund=site["fund"].code, year=when.year, month=when.month))
        assert "Phạm Văn Kín" not in text and "Ngô Thị Ẩn" not in text
    months = {(today - dt.timedelta(days=d)).month for d in (50, 45, 40, 35)}
    texts = " ".join(
        text_of(page(client, fund=site["fund"].code, year=today.year, month=m)) for m in sorted(months)
    )
    assert "Công ty TNHH Ánh Dương" in texts
    assert "T.T.B." in texts and "Trần Thị Bích" not in texts
    assert "Nhà hảo tâm ẩn danh" in texts


def test_the_donor_files_hold_every_donor_of_the_month_and_sum_to_the_months_donations(client, site):
    fund = site["fund"]
    when = timezone.localdate() - dt.timedelta(days=45)
    response = client.get(
        "/transparency/donors.csv", {"fund": fund.code, "year": when.year, "month": when.month}
    )
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert "Trần Thị Bích" not in response.content.decode()
    total = sum(int(r[2]) for r in table[1:])
    ledger = LedgerEntry.objects.filter(
        fund=fund, donation__isnull=False, entry_date__year=when.year, entry_date__month=when.month
    ).aggregate(s=Sum("amount"))["s"]
    assert total == ledger


def test_a_posted_donation_shows_on_the_next_page_load(client, site):
    fund = site["fund"]
    year = timezone.localdate().year
    before = statement_rows(page(client, fund=fund.code, year=year))
    give(fund, 123_456, timezone.localdate(), donor_name="Người mới")
    after = statement_rows(page(client, fund=fund.code, year=year))
    month = timezone.localdate().strftime("%m/%Y")
    assert after[month][0] == before.get(month, [0])[0] + 123_456


def test_an_unknown_fund_is_a_friendly_404_in_vietnamese(client, site):
    response = client.get("/transparency/", {"fund": "khong-co"})
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    assert client.get("/transparency/statement.pdf").status_code == 404


def test_balances_are_shown_by_what_the_money_may_be_spent_on(client, site):
    text = " ".join(text_of(page(client, fund=site["fund"].code)).split())
    free = LedgerEntry.objects.filter(fund=site["fund"], restriction="none")
    cash = free.filter(medium="cash").aggregate(s=Sum("amount"))["s"]
    goods = free.filter(medium="goods").aggregate(s=Sum("amount"))["s"]
    assert f"Không chỉ định (dùng chung) {cash:,} ₫ {goods:,} ₫".replace(",", ".") in text
    assert "Chiến dịch: Tết Trung thu cho em 700.000 ₫ 0 ₫" in text
