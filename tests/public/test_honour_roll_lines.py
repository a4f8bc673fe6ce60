"""The honour roll's lines (`HonourRollYear`), kept by the database from `DonorYear`: the roll read from
them is the roll of its definition (summed from `DonorYear` over the fund's scope and window of years)
after postings, reversals, a merge, a donor's new name or display choice, a new fund, and a rebuild."""

import datetime as dt
from collections import defaultdict
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from donations.models import DisplayPreference, DonorKind, DonorYear, Fund, HonourRollYear
from donations.selectors.transparency import public_name, recognised_donors, recognition_thresholds
from donations.services.donations import donation_reverse
from donations.services.donors import donor_merge, donor_save
from tests.factories import DonorFactory, FundFactory, staff

from .conftest import give

pytestmark = pytest.mark.django_db

COLUMNS = (
    "scope",
    "donor_id",
    "year",
    "amount",
    "streak",
    "name",
    "name_folded",
    "kind",
    "display_preference",
)


def by_definition(*, year: int, fund: Fund | None, unit_path: str | None, query: str = "") -> list[tuple]:
    """The roll as issue 20 defines it, from `DonorYear` alone (what the roll read before its lines)."""
    min_amount, years_needed = recognition_thresholds(fund=fund)
    window = max(years_needed, 1)
    given: dict = defaultdict(lambda: defaultdict(int))
    for row in DonorYear.objects.select_related("fund__unit", "donor"):
        if unit_path is None or row.fund.unit.path.startswith(unit_path):
            given[row.donor][row.year] += row.total
    lines = []
    for donor, years in given.items():
        if donor.display_preference == DisplayPreference.ANONYMOUS:
            continue
        shown_in_full = donor.display_preference == DisplayPreference.FULL_NAME
        if query and not (shown_in_full and query in donor.name_folded):
            continue
        streak = 0
        while streak < window and years.get(year - streak, 0) > 0:
            streak += 1
        amount = years.get(year, 0)
        if amount >= min_amount or streak >= years_needed:
            lines.append((-amount, -streak, donor.name, donor.pk, donor))
    lines.sort(key=lambda line: line[:4])
    kinds = dict(DonorKind.choices)
    return [
        (public_name(name=d.name, preference=d.display_preference), kinds[d.kind], -amount, -streak)
        for amount, streak, _name, _pk, d in lines
    ]


def read(**kwargs) -> list[tuple]:
    roll = recognised_donors(per_page=1000, **kwargs)
    assert roll.count == len(roll.rows)
    return [(r["name"], r["kind"], r["amount"], r["streak"]) for r in roll.rows]


@pytest.fixture
def funds(tree, settings):
    """A district fund (Huyện Một) above two commune funds (An, Bình), and a district fund beside it
    (Huyện Hai, with its own thresholds)."""
    settings.RECOGNITION_MIN_AMOUNT = 1_000_000
    settings.RECOGNITION_CONSECUTIVE_YEARS = 3
    one = FundFactory(unit=tree["d1"], code="huyen-mot")
    return {
        "one": one,
        "a": FundFactory(unit=tree["a"], code="xa-an", parent=one),
        "b": FundFactory(unit=tree["b"], code="xa-binh", parent=one),
        "two": FundFactory(
            unit=tree["d2"], code="huyen-hai", recognition_min_amount=5_000_000, recognition_years=2
        ),
    }


def scopes(funds) -> list[tuple[Fund | None, str | None]]:
    return [(None, None)] + [(fund, fund.unit.path) for fund in funds.values()]


@contextmanager
def override_roll_lines_read(value: int):
    from donations.selectors import transparency

    kept = transparency.ROLL_LINES_READ
    transparency.ROLL_LINES_READ = value
    try:
        yield
    finally:
        transparency.ROLL_LINES_READ = kept


def assert_as_defined(funds, years, query: str = "") -> None:
    for fund, path in scopes(funds):
        for year in years:
            assert read(year=year, fund=fund, unit_path=path, query=query) == by_definition(
                year=year, fund=fund, unit_path=path, query=query
            ), (fund, year)


def test_the_roll_read_from_its_lines_is_the_roll_of_its_definition(tree, funds):
    today = timezone.localdate()
    years = [today.year - back for back in range(5)]
    donors = [
        DonorFactory(unit=tree["d1"], name=name, kind=kind, display_preference=preference)
        for name, kind, preference in (
            ("Lê Văn An", DonorKind.INDIVIDUAL, DisplayPreference.FULL_NAME),
            ("Công ty Ánh Dương", DonorKind.BUSINESS, DisplayPreference.FULL_NAME),
            ("Trần Thị Bích", DonorKind.INDIVIDUAL, DisplayPreference.INITIALS),
            ("Ẩn Danh Hoàn Toàn", DonorKind.INDIVIDUAL, DisplayPreference.ANONYMOUS),
            ("Nguyễn Văn Bằng", DonorKind.INDIVIDUAL, DisplayPreference.FULL_NAME),
            ("Nguyễn Văn Bằng Hai", DonorKind.AGENCY, DisplayPreference.FULL_NAME),
        )
    ]
    an, sun, bich, hidden, equal, equal_two = donors
    for back in range(5):  # five years running, 600,000 a year: on the roll by its years only
        give(funds["a"], 600_000, dt.date(today.year - back, 2, 1), donor=an)
    give(funds["b"], 3_000_000, today, donor=sun)
    give(funds["two"], 6_000_000, today, donor=sun)  # beside: counts on Huyện Hai's roll, not Một's
    give(funds["one"], 2_000_000, today.replace(year=today.year - 1, month=1, day=1), donor=sun)
    give(funds["a"], 400_000, today, donor=bich)
    give(funds["b"], 800_000, today, donor=bich)  # 1,200,000 in Huyện Một's scope, less in each commune
    give(funds["a"], 9_000_000, today, donor=hidden)
    give(funds["a"], 1_500_000, today, donor=sun, display_preference=DisplayPreference.ANONYMOUS)
    # Two equal amounts with streaks of 4 and 3: beyond the window of 3 they rank by name.
    for back in range(4):
        give(funds["one"], 1_000_000, dt.date(today.year - back, 5, 1), donor=equal_two)
    for back in range(3):
        give(funds["one"], 1_000_000, dt.date(today.year - back, 5, 1), donor=equal)
    assert_as_defined(funds, years)
    assert_as_defined(funds, years, query="nguyen van")  # a scope's few lines read for the name
    with override_roll_lines_read(0):  # every scope's lines too many to read: the trigram index
        assert_as_defined(funds, years, query="nguyen van")
    # Page by page, with equal amounts across a page's edge: the pages join into the roll.
    scope = {"year": today.year, "fund": funds["one"], "unit_path": funds["one"].unit.path}
    for per_page in (1, 2, 3):
        first = recognised_donors(**scope, per_page=per_page)
        pages = [first.rows] + [
            recognised_donors(**scope, per_page=per_page, page=n).rows for n in range(2, first.pages + 1)
        ]
        joined = [(r["name"], r["kind"], r["amount"], r["streak"]) for rows in pages for r in rows]
        assert joined == by_definition(**scope), per_page
    province = read(year=today.year, fund=funds["one"], unit_path=funds["one"].unit.path)
    assert [line[0] for line in province] == [
        "Công ty Ánh Dương",  # 3,000,000 + 0: the anonymous gift is nobody's
        "T.T.B.",
        "Nguyễn Văn Bằng",
        "Nguyễn Văn Bằng Hai",
        "Lê Văn An",
    ]
    assert province[2][3] == province[3][3] == 3 and province[4][3] == 3


def test_a_reversal_a_posting_and_a_merge_move_the_lines(tree, funds):
    today = timezone.localdate()
    lan = staff(tree["d1"], username="lan")
    an, binh = (
        DonorFactory(unit=tree["d1"], name="Lê Văn An"),
        DonorFactory(unit=tree["d1"], name="Lê Văn Bình"),
    )
    gift = give(funds["a"], 2_000_000, today, donor=an)
    give(funds["b"], 700_000, today, donor=binh)
    give(funds["b"], 700_000, today.replace(year=today.year - 1, month=1, day=1), donor=binh)
    one = {"fund": funds["one"], "unit_path": funds["one"].unit.path, "year": today.year}
    assert [line[0] for line in read(**one)] == ["Lê Văn An"]
    donation_reverse(donation=gift, reason="Nhập nhầm", by=lan)
    assert read(**one) == [] and not HonourRollYear.objects.filter(donor=an, year=today.year).exists()
    give(funds["a"], 1_000_000, today, donor=an)
    assert [(line[0], line[2]) for line in read(**one)] == [("Lê Văn An", 1_000_000)]
    donor_merge(keep=an, duplicate=binh, by=lan)
    assert [(line[0], line[2], line[3]) for line in read(**one)] == [("Lê Văn An", 1_700_000, 2)]
    assert not HonourRollYear.objects.filter(donor=binh).exists()
    assert_as_defined(funds, [today.year, today.year - 1])


def test_a_fund_beside_another_keeps_its_roll(tree, funds):
    today = timezone.localdate()
    sun = DonorFactory(unit=tree["d1"], name="Công ty Ánh Dương")
    give(funds["one"], 2_000_000, today, donor=sun)
    lines = list(HonourRollYear.objects.filter(scope=funds["one"].unit.path).values_list(*COLUMNS))
    other = DonorFactory(unit=tree["d2"], name="Công ty Bình Minh")
    give(funds["two"], 50_000_000, today, donor=other)
    give(funds["two"], 7_000_000, today, donor=sun)
    assert list(HonourRollYear.objects.filter(scope=funds["one"].unit.path).values_list(*COLUMNS)) == lines
    two = read(year=today.year, fund=funds["two"], unit_path=funds["two"].unit.path)
    assert [(line[0], line[2]) for line in two] == [
        ("Công ty Bình Minh", 50_000_000),
        ("Công ty Ánh Dương", 7_000_000),
    ]
    assert_as_defined(funds, [today.year])


def test_a_donors_new_name_or_display_choice_and_a_new_fund_show_at_once(tree, funds):
    today = timezone.localdate()
    sun = DonorFactory(unit=tree["d1"], name="Công ty Ánh Dương")
    give(funds["a"], 2_000_000, today, donor=sun)
    one = {"fund": funds["one"], "unit_path": funds["one"].unit.path, "year": today.year}
    sun.name = "Công ty Bình Minh"
    donor_save(donor=sun)
    assert [line[0] for line in read(**one, query="binh minh")] == ["Công ty Bình Minh"]
    assert read(**one, query="anh duong") == []
    sun.display_preference = DisplayPreference.ANONYMOUS
    donor_save(donor=sun)
    assert read(**one) == [] and not HonourRollYear.objects.filter(donor=sun).exists()
    sun.display_preference = DisplayPreference.INITIALS
    donor_save(donor=sun)
    assert [line[0] for line in read(**one)] == ["C.T.B.M."]
    province = FundFactory(unit=tree["province"], code="tinh")  # a fund above the others, made later
    funds["province"] = province
    assert [line[0] for line in read(year=today.year, fund=province, unit_path=province.unit.path)] == [
        "C.T.B.M."
    ]
    assert_as_defined(funds, [today.year])


def test_the_rebuild_recomputes_the_same_lines(tree, funds):
    today = timezone.localdate()
    for index, fund in enumerate(funds.values()):
        donor = DonorFactory(unit=tree["d1"], name=f"Nhà hảo tâm {index}")
        give(fund, 1_000_000 * (index + 1), today, donor=donor)
        give(fund, 300_000, today.replace(year=today.year - 1, month=1, day=1), donor=donor)
    before = set(HonourRollYear.objects.values_list(*COLUMNS))
    # Two years of four donors: the communes' donors in "", the district and their commune; the
    # districts' donors in "" and their district.
    assert len(before) == 2 * (3 + 3 + 2 + 2)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM donations_honourrollyear")
    call_command("ledger_months", "--rebuild", stdout=None)
    assert set(HonourRollYear.objects.values_list(*COLUMNS)) == before


def test_bad_pages_and_searches_answer_cleanly(client, tree, funds):
    today = timezone.localdate()
    give(funds["one"], 2_000_000, today, donor=DonorFactory(unit=tree["d1"], name="Công ty Ánh Dương"))
    for params in (
        {"q": "%"},
        {"q": "_"},
        {"q": "x" * 500},
        {"q": "\x00"},
        {"page": "-3"},
        {"page": "9" * 30},
    ):
        response = client.get("/quy/huyen-mot/honour-roll/", params)
        assert response.status_code in (200, 400, 404), params
        if params.get("q"):
            assert "Ánh Dương" not in response.content.decode(), params
    assert (
        "Ánh Dương" in client.get("/quy/huyen-mot/honour-roll/", {"q": "anh", "page": "7"}).content.decode()
    )


def test_a_search_reads_a_small_scopes_lines_and_a_large_ones_trigram_index(tree, funds):
    """The roll's trigram index holds every scope's lines of every year: a common word there is hundreds
    of thousands of entries before a province's few thousand lines of the year are kept. A scope with
    few lines is searched by reading them (`strpos`, which no index serves), a large one by the index."""
    from django.test.utils import CaptureQueriesContext

    give(
        funds["one"],
        2_000_000,
        timezone.localdate(),
        donor=DonorFactory(unit=tree["d1"], name="Hoàng Văn Thụ"),
    )
    scope = {"year": timezone.localdate().year, "fund": funds["one"], "unit_path": funds["one"].unit.path}
    searched = {}
    for lines_read in (1000, 0):
        with override_roll_lines_read(lines_read), CaptureQueriesContext(connection) as made:
            searched[lines_read] = read(**scope, query="hoang")
        counted = [query["sql"] for query in made.captured_queries if "COUNT(*)" in query["sql"]]
        name = next(sql for sql in counted if "hoang" in sql).split("WHERE", 1)[1]
        by_index = "LIKE" in name and "hoang" in name
        assert by_index == (lines_read == 0), name
    assert searched[1000] == searched[0] == [("Hoàng Văn Thụ", "Cá nhân", 2_000_000, 1)]
