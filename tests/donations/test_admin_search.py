"""Staff find a donation in the admin as a bank statement writes it: without diacritics, or by its
transfer reference, which the list shows."""

import datetime as dt
import unicodedata
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from donations.admin.donations import DonationAdmin
from donations.models import Donation, Donor
from donations.selectors.donations import COMMON_NAME_DONORS, donations_search
from donations.services.donations import donation_create, donation_post
from donations.services.donors import donor_save
from tests.factories import FundFactory, staff

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="query plans and trigram indexes are PostgreSQL's; CI runs this with DATABASE_URL set",
)


def _search(client, term):
    return client.get(reverse("admin:donations_donation_changelist"), {"q": term}).content.decode()


def _link(donation):
    return reverse("admin:donations_donation_change", args=[donation.pk])


def test_a_search_without_diacritics_finds_the_donor_record_and_the_name_given(
    client, fund, district_staff, yesterday
):
    donor = donor_save(donor=Donor(name="Nguyễn Văn An", unit=fund.unit))
    by_record = donation_create(fund=fund, amount=150_000, received_on=yesterday, donor=donor)
    by_name = donation_create(fund=fund, amount=250_000, received_on=yesterday, donor_name="Đặng Thị Ánh")
    other = donation_create(fund=fund, amount=350_000, received_on=yesterday, donor_name="Nguyễn Văn Bình")
    client.force_login(district_staff)

    found = _search(client, "nguyen van an")
    assert _link(by_record) in found
    assert _link(by_name) not in found and _link(other) not in found

    found = _search(client, "DANG THI ANH")
    assert _link(by_name) in found and _link(by_record) not in found

    found = _search(client, "Nguyễn")
    assert _link(by_record) in found and _link(other) in found and _link(by_name) not in found


def test_the_list_shows_the_transfer_reference_and_a_search_finds_it(client, fund, district_staff, yesterday):
    wanted = donation_create(fund=fund, amount=150_000, received_on=yesterday, with_transfer_reference=True)
    other = donation_create(fund=fund, amount=250_000, received_on=yesterday, with_transfer_reference=True)
    client.force_login(district_staff)

    listing = _search(client, "")
    assert "Mã chuyển khoản" in listing
    assert wanted.transfer_reference in listing and other.transfer_reference in listing

    found = _search(client, wanted.transfer_reference.lower())
    assert _link(wanted) in found and _link(other) not in found


def test_a_search_for_a_regular_expression_character_is_taken_literally(
    client, fund, district_staff, yesterday
):
    dotted = donation_create(fund=fund, amount=150_000, received_on=yesterday, donor_name="Cty A.B (Hà Nội)")
    plain = donation_create(fund=fund, amount=250_000, received_on=yesterday, donor_name="Cty AXB Ha Noi")
    client.force_login(district_staff)
    found = _search(client, "a.b (ha")
    assert _link(dotted) in found and _link(plain) not in found


def test_a_code_is_found_whole_by_receipt_number_reference_or_tax_code(
    client, fund, district_staff, yesterday
):
    company = donor_save(donor=Donor(name="Công ty TNHH Ánh Dương", tax_code="0101234567", unit=fund.unit))
    by_company = donation_create(fund=fund, amount=5_000_000, received_on=yesterday, donor=company)
    posted = donation_post(
        donation=donation_create(fund=fund, amount=150_000, received_on=yesterday, donor_name="Lê Văn Tám"),
        by=district_staff,
    )
    other = donation_post(
        donation=donation_create(fund=fund, amount=250_000, received_on=yesterday, donor_name="Lê Thị Chín"),
        by=district_staff,
    )
    client.force_login(district_staff)

    found = _search(client, posted.receipt_number.lower())
    assert _link(posted) in found and _link(other) not in found and _link(by_company) not in found
    found = _search(client, "0101234567")
    assert _link(by_company) in found and _link(posted) not in found


def test_a_name_given_in_capitals_or_decomposed_is_found_without_diacritics(
    client, fund, district_staff, yesterday
):
    capitals = donation_create(fund=fund, amount=150_000, received_on=yesterday, donor_name="NGUYỄN THỊ ĐÀO")
    decomposed = donation_create(
        fund=fund, amount=250_000, received_on=yesterday, donor_name="Nguyễn Thị Đào"
    )
    Donation.objects.filter(pk=decomposed.pk).update(
        donor_name=unicodedata.normalize("NFD", "Nguyễn Thị Đào")
    )
    other = donation_create(fund=fund, amount=350_000, received_on=yesterday, donor_name="Nguyễn Thị Mai")
    client.force_login(district_staff)
    found = _search(client, "nguyen thi dao")
    assert _link(capitals) in found and _link(decomposed) in found and _link(other) not in found


@postgresql_only
@pytest.mark.parametrize(
    ("term", "indexes"),
    [
        ("QBTTE-2026-000001", ["donation_receipt_number_idx", "donation_transfer_reference_unique"]),
        ("0101234567", ["donor_tax_code_idx"]),
        ("nguyen van an", ["donor_name_trgm_idx", "donation_donor_name_trgm_idx"]),
    ],
)
def test_each_kind_of_search_is_served_by_its_index(fund, district_staff, term, indexes):
    """The planner is told to avoid sequential scans and walks of a whole index: each index named must
    be one it can use, in the list's query or in those the search makes to gather what it found, so a
    search written in another form than the index (the folded expression) fails here. Over every
    donation: in this nearly empty database a scope is one fund, whose own index the planner prefers. A
    name someone gave without a record is there, so the names given are searched."""
    donation_create(fund=fund, amount=100_000, received_on=timezone.localdate(), donor_name="Nguyễn Văn An")
    donations = Donation.objects.all()
    with CaptureQueriesContext(connection) as made:
        found = donations_search(donations=donations, term=term)
    queries = [(query["sql"], None) for query in made.captured_queries]  # as sent: no parameters
    plans = [_plan(sql, params) for sql, params in [*queries, found.query.sql_with_params()]]
    for index in indexes:
        assert any(index in plan for plan in plans), plans


def _plan(sql: str, params) -> str:
    """The plan of a query with sequential scans and walks of whole indexes made the last resort."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_indexonlyscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return plan


def _listed(client, term) -> list[int]:
    response = client.get(reverse("admin:donations_donation_changelist"), {"q": term})
    assert response.status_code == 200
    return [donation.pk for donation in response.context_data["cl"].result_list]


def _given(fund, days_ago: int, **fields):
    return donation_create(
        fund=fund, amount=100_000, received_on=timezone.localdate() - dt.timedelta(days=days_ago), **fields
    )


def test_a_name_search_lists_both_sources_in_scope_newest_first(client, fund, tree, district_staff):
    donor = donor_save(donor=Donor(name="Trịnh Quang Hải", unit=fund.unit))
    other_fund = FundFactory(unit=tree["d2"], name="Quỹ Huyện Hai", code="huyen-hai")
    older_record = _given(fund, 30, donor=donor)
    newest_given = _given(fund, 2, donor_name="TRỊNH QUANG HẢI")
    same_day = [_given(fund, 10, donor=donor), _given(fund, 10, donor_name="Trịnh Quang Hải (Hà Nội)")]
    _given(other_fund, 1, donor_name="Trịnh Quang Hải")  # another district's fund: out of scope
    _given(fund, 1, donor_name="Trịnh Quang Hòa")
    client.force_login(district_staff)

    expected = [newest_given.pk, *sorted((d.pk for d in same_day), reverse=True), older_record.pk]
    assert _listed(client, "trinh quang hai") == expected
    assert _listed(client, "Quang Hải") == expected


def test_a_common_name_finds_the_same_donations_as_a_rare_one(client, fund, district_staff):
    """Past `COMMON_NAME_DONORS` matching donor records the search leaves the donors to the planner
    instead of gathering them first: the donations found and their order are the same."""
    many = Donor.objects.bulk_create(
        Donor(name=f"Phùng Văn {n}", name_folded=f"phung van {n}", unit=fund.unit)
        for n in range(COMMON_NAME_DONORS + 1)
    )
    by_record = [_given(fund, n % 7, donor=donor) for n, donor in enumerate(many[:5])]
    by_name = [_given(fund, 3, donor_name="Phùng Văn Tư"), _given(fund, 0, donor_name="PHÙNG VĂN BẢY")]
    _given(fund, 1, donor_name="Phan Văn Tư")
    client.force_login(district_staff)

    expected = sorted(by_record + by_name, key=lambda d: (d.received_on, d.pk), reverse=True)
    assert _listed(client, "phung van") == [d.pk for d in expected]
    # One donor only: a rare name, its donor gathered first.
    assert _listed(client, "phung van 4") == [by_record[4].pk]


def test_a_receipt_number_is_found_only_in_the_users_scope(client, fund, tree, district_staff):
    other_fund = FundFactory(unit=tree["d2"], name="Quỹ Huyện Hai", code="huyen-hai")
    outside = donation_post(donation=_given(other_fund, 1, donor_name="Lê Văn Tám"), by=staff(tree["d2"]))
    client.force_login(district_staff)
    assert _listed(client, outside.receipt_number) == []


def test_the_rows_of_a_search_link_to_their_page_with_the_search_kept(client, fund, district_staff):
    found = [_given(fund, n, donor_name="Đoàn Thị Yến") for n in range(3)]
    client.force_login(district_staff)
    html = client.get(reverse("admin:donations_donation_changelist"), {"q": "doan thi yen"}).content.decode()
    filters = urlencode({"_changelist_filters": urlencode({"q": "doan thi yen"})})
    for donation in found:
        assert escape(f"{reverse('admin:donations_donation_change', args=[donation.pk])}?{filters}") in html


@postgresql_only
def test_a_rare_name_reads_its_donors_donations_by_the_donors_index(fund, district_staff):
    """The donor records found are gathered first, then their donations read through the donor's index
    (joined to the scope by its estimate, the search read every donation of a province's funds,
    5,000,000, to keep a few thousand). What the list counts and pages is then the ids found, each read
    by primary key: not the trigram search and the donors' donations once more for each."""
    donor = donor_save(donor=Donor(name="Nguyễn Văn An", unit=fund.unit))
    given = [_given(fund, n, donor=donor) for n in (3, 1)]
    # The plan over every donation: in this nearly empty database a scope is one fund, whose own index
    # the planner prefers (as in `test_each_kind_of_search_is_served_by_its_index`).
    with CaptureQueriesContext(connection) as made:
        donations_search(donations=Donation.objects.all(), term="nguyen van an")
    gathered = made.captured_queries[-1]["sql"]
    assert f"\"donor_id\" = ANY('{{{donor.pk}}}'::bigint[])" in gathered  # the ids as one array
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {gathered}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "donation_donor_date_idx" in plan, plan
    found = donations_search(donations=Donation.objects.visible_to(district_staff), term="nguyen van an")
    listed = str(found.query).split("WHERE", 1)[1]
    assert '"donations_donation"."id" = ANY(' in listed and "donor" not in listed
    assert list(found.values_list("pk", flat=True)) == [given[1].pk, given[0].pk]


@postgresql_only
def test_a_rare_name_with_more_donations_than_the_list_counts_is_left_as_a_condition(
    fund, district_staff, monkeypatch
):
    """Past `FOUND_DONATIONS` in scope, the ids are not gathered (the list stops counting there): the
    list reads the donors' donations itself, and finds the same ones."""
    import donations.selectors.donations as selectors

    monkeypatch.setattr(selectors, "FOUND_DONATIONS", 2)
    donor = donor_save(donor=Donor(name="Nguyễn Văn An", unit=fund.unit))
    given = [_given(fund, n, donor=donor) for n in (3, 1, 2)]
    found = donations_search(donations=Donation.objects.visible_to(district_staff), term="nguyen van an")
    assert "donor_id" in str(found.query).split("WHERE", 1)[1]
    assert list(found.values_list("pk", flat=True)) == [given[1].pk, given[2].pk, given[0].pk]


def test_a_name_no_one_gave_without_a_record_is_looked_up_in_the_records_alone(fund, district_staff):
    """Without a match among the names given, the search is the donor records' alone (no OR that makes
    PostgreSQL read the table's rows); with one, both. The donations found are the same either way."""
    donor = donor_save(donor=Donor(name="Khúc Thừa Dụ", unit=fund.unit))
    by_record = [_given(fund, n, donor=donor) for n in (5, 1, 3)]
    _given(fund, 2, donor_name="Khúc Thừa Hạo")
    donations = Donation.objects.visible_to(district_staff)

    with CaptureQueriesContext(connection) as made:
        alone = donations_search(donations=donations, term="khuc thua du")
    assert "donor_name" not in made.captured_queries[-1]["sql"].split("WHERE", 1)[1]
    assert list(alone.values_list("pk", flat=True)) == [d.pk for d in sorted(by_record, key=_newest)]

    given = _given(fund, 4, donor_name="KHÚC THỪA DỤ")
    with CaptureQueriesContext(connection) as made:
        both = donations_search(donations=donations, term="khuc thua du")
    assert "donor_name" in made.captured_queries[-1]["sql"].split("WHERE", 1)[1]
    expected = sorted([*by_record, given], key=_newest)
    assert list(both.values_list("pk", flat=True)) == [d.pk for d in expected]


def _newest(donation):
    return (-donation.received_on.toordinal(), -donation.pk)


@postgresql_only
def test_the_donor_index_holds_what_a_names_page_and_count_read():
    """A name's page ids and count read the donor, the fund (the scope), the date and the id of each
    donation: all in `donation_donor_date_idx`, so PostgreSQL reads them from the index alone (an
    index-only scan over the province's 10,000 donations of a name, measured by `bench --only scale`)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
            "WHERE c.relname = 'donation_donor_date_idx' ORDER BY k.n"
        )
        columns = [row[0] for row in cursor.fetchall()]
    assert columns == ["donor_id", "received_on", "id", "fund_id"]


def test_the_admin_lists_pages_are_the_rows_of_the_list_in_its_order(client, fund, district_staff):
    """The page is read as its ids first, then its rows: the same rows, in the same order, as one query."""
    donor = donor_save(donor=Donor(name="Khúc Thừa Dụ", unit=fund.unit))
    made = [_given(fund, n % 9, donor=donor if n % 2 else None) for n in range(105)]
    client.force_login(district_staff)
    expected = [d.pk for d in sorted(made, key=_newest)]
    url = reverse("admin:donations_donation_changelist")

    def page(number):
        response = client.get(url, {"p": number})
        assert response.status_code == 200
        return [d.pk for d in response.context_data["cl"].result_list]

    per = DonationAdmin.list_per_page
    assert per == 50
    assert [page(n) for n in (1, 2, 3)] == [expected[:per], expected[per : 2 * per], expected[2 * per :]]
    # The page's rows are read with the listed columns only (`list_only`), by their ids.
    with CaptureQueriesContext(connection) as made:
        page(2)
    rows = [q["sql"] for q in made.captured_queries if '"donations_donation"."amount"' in q["sql"]]
    assert len(rows) == 1 and '"donations_donation"."message"' not in rows[0], rows
