"""Properties of the import row validators of donations and children, over rows hypothesis makes up.

Any row, with any kind of cell a CSV or an XLSX reader gives (text, numbers, dates, times, booleans,
empty), is either accepted or refused with errors; a validator never raises. A row made of valid
values is accepted and reads back the values it was made of.
"""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from children.imports import child_rows as children_importing
from donations.imports import donation_rows as donations_importing
from fund_portal.spreadsheets import column_map
from tests.factories import FundFactory, officer, staff

pytestmark = pytest.mark.django_db

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TODAY = timezone.localdate()

cells = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "=1+1", "Tiền mặt", "Nam", "Nữ", "01/02/2015", "huyen-mot", "G01", "Có"]),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(),
    st.times(),
    st.booleans(),
    st.none(),
)
names = st.text(
    alphabet="AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYaăâbcdđeêghiklmnoôơpqrstuưvxyàáạảãềếệởữ ", min_size=2, max_size=40
)


def _reader_rows(module, reader, cells_rows):
    return reader.read(iter([(row, list(c)) for row, c in enumerate(cells_rows, start=2)]))


@pytest.fixture
def donations_setup(tree):
    FundFactory(unit=tree["d1"], code="huyen-mot", parent=None)
    user = staff(tree["d1"])
    columns = column_map(
        donations_importing.HEADERS,
        donations_importing.COLUMNS,
        required=donations_importing.REQUIRED_COLUMNS,
    )
    return user, columns


@FAST
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=15), min_size=1, max_size=4))
@example(rows=[["\x00"] * 15])  # a NUL character, which PostgreSQL refuses in any text
def test_any_donation_row_is_accepted_or_refused_never_a_crash(donations_setup, rows):
    user, columns = donations_setup
    reader = donations_importing._RowReader(by=user, columns=columns)
    parsed = _reader_rows(donations_importing, reader, rows)
    assert len(parsed) + len({e.row for e in reader.errors if e.row is not None}) <= len(rows)
    for error in reader.errors:
        assert str(error)


def test_a_nul_character_is_dropped_from_any_cell_and_the_row_read(donations_setup):
    """A NUL character (which no database stores) is dropped wherever it is: in a column of texts, and
    in a column whose other cells are dates, which the reader checks apart from its texts."""
    user, columns = donations_setup
    reader = donations_importing._RowReader(by=user, columns=columns)
    values = {"amount": 150_000, "kind": "Tiền mặt", "fund": "HUYEN-MOT"}

    def row(received_on, donor, key):
        cells = {**values, "received_on": received_on, "donor_name": donor, "import_key": key}
        return [cells.get(field, "") for field in donations_importing.COLUMNS]

    parsed = _reader_rows(
        donations_importing,
        reader,
        [
            row(dt.date(2026, 2, 1), "Nguyễn\x00 Văn An", "CT-1"),
            row("0\x001/02/2026", "Trần Thị Bình", "CT-\x002"),
        ],
    )
    assert reader.errors == []
    assert [(got.received_on, got.donor_name, got.import_key) for got in parsed] == [
        (dt.date(2026, 2, 1), "Nguyễn Văn An", "CT-1"),
        (dt.date(2026, 2, 1), "Trần Thị Bình", "CT-2"),
    ]


@FAST
@given(
    received_on=st.dates(min_value=dt.date(2015, 1, 1), max_value=TODAY),
    amount=st.integers(min_value=1, max_value=10**12),
    amount_as=st.sampled_from(["int", "float", "dots", "commas", "text"]),
    kind=st.sampled_from(["Tiền mặt", "Chuyển khoản", "CK", "tiền mặt"]),
    donor=st.one_of(st.just(""), names),
    tax_code=st.one_of(st.just(""), st.from_regex(r"\A[0-9]{10}(-[0-9]{3})?\Z")),
    key=st.from_regex(r"\A[A-Z0-9][A-Z0-9-]{0,19}\Z"),
    date_as=st.sampled_from(["text", "date", "datetime"]),
)
def test_a_valid_donation_row_is_accepted_as_written(
    donations_setup, received_on, amount, amount_as, kind, donor, tax_code, key, date_as
):
    user, columns = donations_setup
    written_amount = {
        "int": amount,
        "float": float(amount),
        "dots": f"{amount:,}".replace(",", "."),
        "commas": f"{amount:,}",
        "text": str(amount),
    }[amount_as]
    written_date = {
        "text": received_on.strftime("%d/%m/%Y"),
        "date": received_on,
        "datetime": dt.datetime.combine(received_on, dt.time(9)),  # noqa: DTZ001  an Excel cell
    }[date_as]
    values = {
        "received_on": written_date,
        "amount": written_amount,
        "kind": kind,
        "donor_name": donor,
        "tax_code": tax_code,
        "fund": "HUYEN-MOT",
        "import_key": key,
        "note": "Ủng hộ trẻ em",
    }
    row = [values.get(field, "") for field in donations_importing.COLUMNS]
    reader = donations_importing._RowReader(by=user, columns=columns)
    parsed = _reader_rows(donations_importing, reader, [row])
    assert reader.errors == []
    (got,) = parsed
    assert (got.received_on, got.amount, got.import_key, got.tax_code) == (received_on, amount, key, tax_code)
    assert got.donor_name == " ".join(donor.split())


@pytest.fixture
def children_setup(tree):
    user = officer(tree["a"])
    columns = column_map(
        children_importing.HEADERS, children_importing.COLUMNS, required=children_importing.REQUIRED_COLUMNS
    )
    return user, columns, tree["a"]


@FAST
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=23), min_size=1, max_size=4))
@example(rows=[["\x00"] * 23])  # a NUL character, which PostgreSQL refuses in any text (found by hypothesis)
def test_any_child_row_is_accepted_or_refused_never_a_crash(children_setup, rows):
    user, columns, commune = children_setup
    reader = children_importing._RowReader(by=user, columns=columns, default_commune=commune)
    parsed = _reader_rows(children_importing, reader, rows)
    assert len(parsed) <= len(rows)
    for error in reader.errors:
        assert str(error)


@FAST
@given(
    full_name=names.filter(lambda n: n.strip()),
    birth_date=st.dates(min_value=TODAY.replace(year=TODAY.year - 15), max_value=TODAY),
    sex=st.sampled_from(["Nam", "Nữ", "nam", "NỮ"]),
    personal_id=st.one_of(st.just(""), st.from_regex(r"\A0[0-9]{11}\Z")),
    out_of_school=st.sampled_from(["Có", "Không", "", "x"]),
    date_as=st.sampled_from(["text", "date"]),
)
def test_a_valid_child_row_is_accepted_as_written(
    children_setup, full_name, birth_date, sex, personal_id, out_of_school, date_as
):
    user, columns, commune = children_setup
    values = {
        "full_name": full_name,
        "birth_date": birth_date.strftime("%d/%m/%Y") if date_as == "text" else birth_date,
        "sex": sex,
        "personal_id": personal_id,
        "commune": commune.code,
        "out_of_school": out_of_school,
    }
    row = [values.get(field, "") for field in children_importing.COLUMNS]
    reader = children_importing._RowReader(by=user, columns=columns, default_commune=commune)
    parsed = _reader_rows(children_importing, reader, [row])
    assert reader.errors == []
    (got,) = parsed
    assert got.values["full_name"] == " ".join(full_name.split())
    assert got.values["birth_date"] == birth_date
    assert got.values["commune_id"] == commune.pk
    assert got.values.get("personal_id") == (personal_id or None)
    assert got.values["out_of_school"] == (out_of_school in ("Có", "x"))
