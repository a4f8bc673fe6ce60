"""Years and months typed into a public page's address get a page, never a server error."""

import pytest
from django.http import Http404
from django.test import RequestFactory

from fund_portal.query_params import YEAR_MAX, YEAR_MIN, query_month, query_year

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/transparency/?year=-1",
        "/transparency/?year=999999999999999999999",
        "/transparency/?year=1999",
        "/transparency/?year=2024&month=13",
        "/transparency/?month=-99999999999999999999",
        "/transparency/statement.xlsx?year=-1",
        "/transparency/statement.csv?year=999999999999999999999",
        "/transparency/donors.csv?year=-1&month=1",
        "/honour-roll/?year=-1",
        "/honour-roll/?year=999999999999999999999",
    ],
)
def test_a_year_or_month_out_of_range_is_not_found_in_vietnamese(client, site, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_a_year_that_is_no_number_shows_the_latest_year(client, site):
    response = client.get("/transparency/", {"year": "năm ngoái", "month": "x"})
    assert response.status_code == 200


def _get(**params):
    return RequestFactory().get("/", params)


def test_query_year_reads_years_within_bounds_and_refuses_the_rest():
    assert query_year(_get(year="2025")) == 2025
    assert query_year(_get(year=str(YEAR_MIN))) == YEAR_MIN
    assert query_year(_get(year=str(YEAR_MAX))) == YEAR_MAX
    assert query_year(_get()) is None
    assert query_year(_get(year=""), default=2024) == 2024
    assert query_year(_get(year="abc"), default=2024) == 2024
    assert query_year(_get(year="9" * 5000), default=2024) == 2024  # past int()'s digit limit
    for bad in ("-1", "0", str(YEAR_MIN - 1), str(YEAR_MAX + 1), "999999999999999999999"):
        with pytest.raises(Http404):
            query_year(_get(year=bad))


def test_query_month_is_one_to_twelve():
    assert query_month(_get(month="12")) == 12
    for bad in ("0", "13", "-1"):
        with pytest.raises(Http404):
            query_month(_get(month=bad))
