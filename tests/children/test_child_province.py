"""The province of a child's commune, kept on the child by the database (`children.province_sql`): set
when a child is written or moved, or when its commune moves to another province, by any writer; and the
province staff's admin list naming it besides the scope, one range of `child_province_name_idx`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.admin.registry import ChildAdmin
from children.models import Child
from fund_portal.models import Role, UnitLevel
from fund_portal.paginators import CappedKeysetPaginator
from fund_portal.scope import scope_province_id
from fund_portal.services import unit_save
from tests.factories import UnitFactory, UserFactory, children_bulk, staff

pytestmark = pytest.mark.django_db

NAMES = ["Lê Văn An", "Đỗ Thị Bình", "Nguyễn Chi", "Hoàng Dũng"]


@pytest.fixture
def other(tree):
    """A second province with one commune."""
    province = UnitFactory(code="91", name="Tỉnh Bên Cạnh", level=UnitLevel.PROVINCE, parent=None)
    commune = UnitFactory(code="91001", name="Xã Bên Cạnh", level=UnitLevel.COMMUNE, parent=province)
    return {"province": province, "commune": commune}


def _province_of(child) -> int | None:
    return Child.objects.filter(pk=child.pk).values_list("province_id", flat=True).get()


def test_a_child_written_or_moved_by_any_writer_has_its_communes_province(tree, other):
    registered, copied = children_bulk([tree["a"], other["commune"]], 2, NAMES)  # bulk: no model code
    assert _province_of(registered) == tree["province"].pk
    assert _province_of(copied) == other["province"].pk
    Child.objects.filter(pk=registered.pk).update(commune=other["commune"])  # a statement of its own
    assert _province_of(registered) == other["province"].pk
    assert registered.province_id is None  # as bulk_create left it: the object's own value is stale
    registered.commune = tree["c"]  # the model's save, as the services write (its stale province too)
    registered.save()
    assert _province_of(registered) == tree["province"].pk
    # The audit trail logs the commune moved; the province is derived from it and logged nowhere.
    from auditlog.models import LogEntry

    changed = [set(entry.changes_dict) for entry in LogEntry.objects.get_for_object(registered)]
    assert changed and all("commune" in fields and "province" not in fields for fields in changed), changed
    Child.objects.filter(pk=registered.pk).update(priority=7)  # its commune untouched: nothing changes
    assert _province_of(registered) == tree["province"].pk


def test_a_writer_may_give_the_province_which_must_be_its_communes(tree, other):
    """The import gives each new child's province (`provinces_of`) rather than have the row trigger find
    it; PostgreSQL checks every inserted row against its commune and refuses a statement where one
    differs (SQLite's trigger sets it over whatever was given)."""
    from django.db import IntegrityError, transaction

    from children.province_sql import provinces_of

    communes = [tree["a"], other["commune"]]
    assert provinces_of([c.pk for c in communes]) == {
        tree["a"].pk: tree["province"].pk,
        other["commune"].pk: other["province"].pk,
    }
    (given,) = children_bulk([tree["a"]], 1, NAMES, province_id=lambda n: tree["province"].pk)
    assert _province_of(given) == tree["province"].pk
    if connection.vendor == "postgresql":
        with pytest.raises(IntegrityError, match="province"), transaction.atomic():
            children_bulk([tree["a"]], 1, NAMES, offset=1, province_id=lambda n: other["province"].pk)
        assert Child.objects.count() == 1  # nothing of the refused statement written
    else:
        (wrong,) = children_bulk([tree["a"]], 1, NAMES, offset=1, province_id=lambda n: other["province"].pk)
        assert _province_of(wrong) == tree["province"].pk


def test_a_commune_moved_to_another_province_takes_its_children_along(tree, other):
    (child,) = children_bulk([tree["b"]], 1, NAMES)
    commune = tree["b"]
    commune.parent = other["province"]
    unit_save(unit=commune)  # its path and its villages' change
    assert _province_of(child) == other["province"].pk
    district = tree["d2"]  # a district with its communes: each commune's path changes
    district.parent = other["province"]
    unit_save(unit=district)
    (in_c,) = children_bulk([tree["c"]], 1, NAMES)
    assert _province_of(in_c) == other["province"].pk


def test_only_a_province_users_scope_is_a_province(tree):
    assert scope_province_id(staff(tree["province"], username="tinh")) == tree["province"].pk
    auditor = UserFactory(role=Role.AUDITOR, unit=tree["province"], username="kiemtoan")
    assert scope_province_id(auditor) == tree["province"].pk
    for user in (
        staff(tree["d1"], username="huyen"),
        UserFactory(role=Role.COMMUNE_OFFICER, unit=tree["a"], username="xa"),
        UserFactory(role=Role.VILLAGE_VOLUNTEER, unit=tree["va"], username="thon"),
        UserFactory(role=Role.NATIONAL_AUDITOR, unit=None, username="quocgia"),
        UserFactory(role=Role.DONOR, unit=tree["province"], username="nhahaotam"),
    ):
        assert scope_province_id(user) is None, user.username


def test_the_province_staffs_admin_list_is_their_provinces_children_in_name_order(
    client, tree, other, monkeypatch
):
    monkeypatch.setattr(CappedKeysetPaginator, "STEP", 37)  # several steps to reach page 2
    children_bulk([tree["a"], tree["b"], tree["c"], other["commune"]], 280, NAMES)
    client.force_login(staff(tree["province"], username="tinh"))
    expected = list(
        Child.objects.filter(commune__path__startswith=tree["province"].path)
        .order_by("name_folded", "id")
        .values_list("pk", flat=True)
    )
    assert len(expected) == 210
    per = ChildAdmin.list_per_page
    pages = []
    for page in range(1, -(-len(expected) // per) + 1):
        with CaptureQueriesContext(connection) as made:
            response = client.get(reverse("admin:children_child_changelist"), {"p": page})
        assert response.status_code == 200
        pages.append([child.pk for child in response.context_data["cl"].result_list])
        made_sql = [query["sql"] for query in made.captured_queries]
        listed = [sql for sql in made_sql if '"children_child"."name_folded"' in sql]
        # Every query of the list names the province besides the scope's communes.
        province = f'"children_child"."province_id" = {tree["province"].pk}'
        assert listed and all(province in sql for sql in listed), listed
    assert len(pages) > 2 and pages == [expected[at : at + per] for at in range(0, len(expected), per)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_a_step_of_the_province_list_is_a_range_of_the_provinces_index(tree, other):
    children_bulk([tree["a"], other["commune"]], 40, NAMES)
    user = staff(tree["province"], username="tinh")
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    children = ChildAdmin(Child, site).get_queryset(request).order_by("name_folded", "id")
    sql, params = children.values_list("name_folded", "id")[9:10].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "child_province_name_idx" in plan, plan
