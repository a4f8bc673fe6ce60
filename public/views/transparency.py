"""Công khai: a fund's statement, spending and donors, as a page and as CSV/XLSX downloads."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from donations.models import Fund
from donations.selectors import transparency
from donations.selectors.public_funds import request_fund, request_fund_scope
from fund_portal.exports import safe_cell, xlsx_response
from fund_portal.pdf import ascii_filename
from fund_portal.query_params import query_month, query_page, query_year
from public import selectors
from public.cache import public_data, public_page
from public.pages import page


def _transparency_fund(request) -> tuple[Fund, list[Fund]]:
    """The fund whose accounts are asked for (`?fund=<code>`, else the request's fund) among the funds
    the request's pages cover (the request's fund and those under it)."""
    funds = transparency.public_funds(unit_path=request_fund_scope(request))
    if not funds:
        raise Http404(_("No fund publishes its accounts yet."))
    code = request.GET.get("fund")
    if not code:
        public = request_fund(request)
        return (public if public in funds else funds[0]), funds
    for fund in funds:
        if fund.code == code:
            return fund, funds
    raise Http404(_("No fund has this code."))


@login_not_required
@require_GET
@public_page(params=("fund", "year", "month", "page"))
def transparency_page(request, *, version):
    """Công khai (Decree 93/2019): per fund and month, what came in and went out, balances, spending
    by purpose and by commune, the donors as each chose to be shown; CSV and XLSX of the same figures."""
    fund, funds = _transparency_fund(request)
    year, month, donors_page = query_year(request), query_month(request), query_page(request)
    data = public_data(
        f"transparency:{fund.pk}:{year}:{month}:{donors_page}",
        lambda: selectors.transparency_data(fund, year, month, donors_page),
        version=version,
    )
    return page(
        request,
        "public/transparency.html",
        {**data, "funds": funds},
        title=_("Transparency: %(fund)s") % {"fund": fund.display_name},
        description=_("Money and goods received and spent by the fund, month by month, to the đồng."),
    )


def statement_table(statement) -> tuple[list[str], list[list]]:
    """The statement as the rows of the page's table (CSV and XLSX give exactly these)."""
    headers = [
        _("Month"),
        _("Money received"),
        _("Goods received (value)"),
        _("Money spent"),
        _("Goods handed out (value)"),
        _("Money balance"),
        _("Goods balance (value)"),
    ]
    rows = [
        [_("Brought forward"), "", "", "", "", statement.opening_cash, statement.opening_goods],
        *[
            [
                row.month.strftime("%m/%Y"),
                row.cash_in,
                row.goods_in,
                row.cash_out,
                row.goods_out,
                row.cash_balance,
                row.goods_balance,
            ]
            for row in statement.months
        ],
    ]
    total = statement.totals
    rows.append(
        [
            _("Total %(year)s") % {"year": statement.year},
            total.cash_in,
            total.goods_in,
            total.cash_out,
            total.goods_out,
            total.cash_balance,
            total.goods_balance,
        ]
    )
    return headers, rows


def _csv_response(filename: str, headers: list[str], rows: list[list]) -> HttpResponse:
    """Semicolons between the values: Excel set for Vietnam (decimal comma) splits a CSV's columns at
    semicolons, and opens a comma-separated file as a single column."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(headers)
    writer.writerows([[safe_cell(v) for v in row] for row in rows])
    # A byte-order mark, so that Excel opens the Vietnamese text as UTF-8.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ascii_filename(filename)}"'
    return response


def _download(
    fmt: str, filename: str, title: str, headers: list[str], rows: list[list], heading: list[str]
) -> HttpResponse:
    """The CSV holds the table alone (for programs); the XLSX says above it what the figures are."""
    if fmt == "csv":
        return _csv_response(f"{filename}.csv", headers, rows)
    return xlsx_response(
        filename=f"{filename}.xlsx", title=title, headers=headers, rows=rows, heading=heading
    )


def _heading(fund: Fund, period: str) -> list[str]:
    return [
        f"{fund.name} · {fund.unit.name}",
        period,
        _("Amounts in đồng"),
    ]


@login_not_required
@require_GET
def transparency_export(request, fmt):
    """The statement of a fund and year, as CSV or XLSX: the same rows as the page."""
    fund, _funds = _transparency_fund(request)
    statement = transparency.fund_statement(fund=fund, year=query_year(request))
    headers, rows = statement_table(statement)
    period = _("Money and goods received and spent, year %(year)s") % {"year": statement.year}
    return _download(
        fmt, f"cong-khai-{fund.code}-{statement.year}", _("Statement"), headers, rows, _heading(fund, period)
    )


@login_not_required
@require_GET
def transparency_donors_export(request, fmt):
    """The donors of a fund in a month, as each chose to be shown, as CSV or XLSX."""
    fund, _funds = _transparency_fund(request)
    year, month = query_year(request), query_month(request)
    if year is None or month is None:
        raise Http404(_("Choose a month."))
    donors = transparency.fund_donor_list(fund=fund, year=year, month=month)
    headers = [_("Donor"), _("Donations"), _("Amount (đồng)")]
    rows = [[d["name"], d["count"], d["amount"]] for d in donors]
    period = _("Donors of %(month)02d/%(year)s") % {"month": month, "year": year}
    return _download(
        fmt, f"nha-tai-tro-{fund.code}-{year}-{month:02d}", _("Donors"), headers, rows, _heading(fund, period)
    )
