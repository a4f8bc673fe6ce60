"""The registry of children: scope, search without diacritics, privacy on the server, logging, bad input."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from children.models import AccessLog, Child, ChildStatus, Circumstance
from children.services.registry import child_register, children_age_out
from tests.factories import officer, staff

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def register(by, commune, name="Nguyễn Văn An", born=None, **fields):
    return child_register(
        by=by,
        full_name=name,
        birth_date=born or years_ago(8),
        sex="male",
        ethnicity="01",
        commune=commune,
        **fields,
    )


@pytest.fixture
def officer_a(tree):
    return officer(tree["a"], username="canbo_a")


def test_an_officer_finds_a_child_typed_without_diacritics_and_opens_the_page(client, tree, officer_a):
    child = register(officer_a, tree["a"], name="Nguyễn Văn An", village=tree["va"])
    register(officer_a, tree["a"], name="Trần Thị Bình")
    client.force_login(officer_a)
    listing = client.get(reverse("children:list"), {"q": "nguyen van an"}).content.decode()
    assert "Nguyễn Văn An" in listing and "Trần Thị Bình" not in listing
    page = client.get(child.get_absolute_url())
    assert page.status_code == 200 and "Nguyễn Văn An" in page.content.decode()
    assert AccessLog.objects.filter(user=officer_a, child=child, action="view").count() == 1


def test_a_child_of_another_commune_does_not_exist_for_the_officer(client, tree, officer_a):
    other = register(officer(tree["b"]), tree["b"], name="Lê Thị Cúc")
    client.force_login(officer_a)
    assert client.get(other.get_absolute_url()).status_code == 404
    assert "Lê Thị Cúc" not in client.get(reverse("children:list"), {"q": "cuc"}).content.decode()
    assert not AccessLog.objects.filter(child=other).exists()


def test_sensitive_groups_and_health_notes_are_left_out_on_the_server_without_the_permission(
    client, tree, officer_a
):
    from children.reference.circumstances import SENSITIVE_CODES, SPECIAL_CIRCUMSTANCES, group

    sensitive_code = sorted(SENSITIVE_CODES)[0]
    plain_code = next(g.code for g in SPECIAL_CIRCUMSTANCES if g.code not in SENSITIVE_CODES)
    child = register(officer_a, tree["a"], health_notes="Điều trị ARV định kỳ")
    Circumstance.objects.create(child=child, group=sensitive_code, identified_on=years_ago(1))
    Circumstance.objects.create(child=child, group=plain_code, identified_on=years_ago(1))
    client.force_login(officer_a)
    body = client.get(child.get_absolute_url()).content.decode()
    assert group(plain_code).name in body
    assert group(sensitive_code).name not in body and "ARV" not in body
    assert 'class="restricted"' in body
    officer_a.user_permissions.add(Permission.objects.get(codename="view_sensitive"))
    client.force_login(type(officer_a).objects.get(pk=officer_a.pk))
    body = client.get(child.get_absolute_url()).content.decode()
    assert group(sensitive_code).name in body and "ARV" in body
    assert AccessLog.objects.filter(action="sensitive").count() == 1


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"birth_date": timezone.localdate() + dt.timedelta(days=3)}, "birth_date"),
        ({"birth_date": years_ago(16)}, "birth_date"),
        ({"personal_id": "12345"}, "personal_id"),
        ({"personal_id": "03812345678X"}, "personal_id"),
        ({"full_name": "   "}, "full_name"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(tree, officer_a, fields, field):
    values = {"full_name": "Phạm Minh Khôi", "birth_date": years_ago(5), **fields}
    with pytest.raises(ValidationError) as error:
        child_register(by=officer_a, sex="male", ethnicity="01", commune=tree["a"], **values)
    assert field in error.value.message_dict
    assert not Child.objects.exists()


def test_a_commune_outside_scope_or_a_village_of_another_commune_is_refused(tree, officer_a):
    with pytest.raises(ValidationError) as error:
        register(officer_a, tree["b"])
    assert "commune" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        register(officer_a, tree["a"], village=tree["vb"])
    assert "village" in error.value.message_dict
    assert not Child.objects.exists()


def test_the_same_child_registered_twice_is_flagged_by_id_or_by_folded_name_and_birth_date(tree, officer_a):
    born = years_ago(7)
    register(officer_a, tree["a"], name="Đỗ Thị Hằng", born=born, personal_id="038123456789")
    with pytest.raises(ValidationError) as error:
        register(officer(tree["b"]), tree["b"], name="do thi hang", born=born)  # same district, other commune
    assert error.value.code == "duplicate"
    with pytest.raises(ValidationError):
        register(officer_a, tree["a"], name="Khác Tên", born=years_ago(3), personal_id="038123456789")
    assert Child.objects.count() == 1
    register(officer(tree["c"]), tree["c"], name="Đỗ Thị Hằng", born=born)  # another district: no flag
    register(officer_a, tree["a"], name="Đỗ Thị Hằng", born=born, confirm_not_duplicate=True)
    assert Child.objects.count() == 3


def test_children_who_turned_16_leave_the_active_list_once(tree, officer_a):
    child = register(officer_a, tree["a"], born=years_ago(15, days=-1))
    later = child.birth_date.replace(year=child.birth_date.year + 16)
    assert children_age_out(today=later - dt.timedelta(days=1)) == 0
    assert children_age_out(today=later) == 1
    assert children_age_out(today=later) == 0
    child.refresh_from_db()
    assert child.status == ChildStatus.AGED_OUT


def test_district_staff_see_children_of_their_district_in_the_admin_without_health_notes(
    client, tree, officer_a
):
    child = register(officer_a, tree["a"], health_notes="Bệnh tim bẩm sinh")
    far = register(officer(tree["c"]), tree["c"], name="Vũ Văn Xa")
    client.force_login(staff(tree["d1"]))
    listing = client.get(reverse("admin:children_child_changelist"), {"q": "nguyen van"}).content.decode()
    assert "Nguyễn Văn An" in listing
    assert client.get(reverse("admin:children_child_change", args=[far.pk])).status_code == 302
    page = client.get(reverse("admin:children_child_change", args=[child.pk])).content.decode()
    assert "Bệnh tim bẩm sinh" not in page
    assert AccessLog.objects.filter(child=child).count() == 1


def test_the_portal_form_registers_a_child_and_flags_a_duplicate(client, tree, officer_a):
    client.force_login(officer_a)
    data = {
        "full_name": "Hoàng Thu Trang",
        "birth_date": years_ago(6).strftime("%d/%m/%Y"),
        "sex": "female",
        "ethnicity": "01",
        "commune": tree["a"].pk,
        "poverty": "poor",
        "poverty_year": 2025,
    }
    assert client.post(reverse("children:new"), data).status_code == 302
    again = client.post(reverse("children:new"), data)
    assert again.status_code == 200 and again.context["form"].errors["confirm_not_duplicate"]
    assert Child.objects.count() == 1


def test_the_list_pages_by_cursor_without_repeats_and_filters_by_group(client, tree, officer_a):
    from children.selectors.registry import children_list, children_page

    for i in range(7):
        child = register(
            officer_a,
            tree["a"],
            name=f"Nguyễn Văn An {i}",
            born=years_ago(5, days=i),
            confirm_not_duplicate=True,
        )
        if i % 2 == 0:
            Circumstance.objects.create(child=child, group="G01", identified_on=years_ago(1))
    children = children_list(user=officer_a, query="nguyen van an")
    first, cursor = children_page(children=children, size=3)
    second, cursor2 = children_page(children=children, after=cursor, size=3)
    third, cursor3 = children_page(children=children, after=cursor2, size=3)
    names = [c.full_name for c in first + second + third]
    assert len(names) == 7 == len(set(names)) and cursor3 == ""
    assert children_list(user=officer_a, group="G01").count() == 4
    client.force_login(officer_a)
    body = client.get(reverse("children:list"), {"q": "an", "group": "G01"}).content.decode()
    assert body.count("Nguyễn Văn An") == 4


@pytest.mark.parametrize("who", ["officer", "district"])
def test_a_list_page_reads_the_same_queries_for_3_children_as_for_30(client, tree, who):
    """The rows are read with the columns the page shows (`LIST_COLUMNS`) and their units: a column
    the page shows and the query left out would be read again for each row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import children_bulk

    user = officer(tree["a"]) if who == "officer" else staff(tree["d1"])
    client.force_login(user)
    communes = [tree["a"]] if who == "officer" else [tree["a"], tree["b"]]

    def page():
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("children:list")).content.decode()
        return len(queries), body

    children_bulk(communes, 3, ["Lê Thị Hoa"], village=lambda n: tree["va"] if n == 0 else None)
    page()  # the account's permissions are then kept
    few, body = page()
    assert body.count("Lê Thị Hoa") == 3 and "05/01/2012" not in body and "01/01/2012" in body
    assert tree["va"].name in body and "chưa rà soát" in body
    this_year = timezone.localdate().year
    children_bulk(communes, 27, ["Lê Thị Hoa"], offset=3, last_reviewed_year=lambda n: this_year)
    many, body = page()
    assert body.count("Lê Thị Hoa") == 30 and "05/01/2012" in body
    assert many == few


def test_the_large_children_set_loads_active_children_in_communes(tree):
    from children.demo import seed_children

    seed_children(count=300)
    assert Child.objects.filter(status=ChildStatus.ACTIVE).count() == 300
    assert set(Child.objects.values_list("commune__level", flat=True)) == {"commune"}
    assert Child.objects.exclude(name_folded="").count() == 300
    from children.models import Need, Support
    from children.priority import priority_recompute

    assert 60 < Need.objects.values("child").distinct().count() < 180  # two in five children
    assert 90 < Support.objects.count() < 210  # one in two
    assert not Support.objects.exclude(commune=F("child__commune")).exists()
    before = {pk: row for pk, *row in Child.objects.values_list("pk", "priority", "priority_visible")}
    assert any(priority != visible for priority, visible in before.values())  # restricted groups weigh more
    priority_recompute()
    after = {pk: row for pk, *row in Child.objects.values_list("pk", "priority", "priority_visible")}
    assert after == before  # the seed used the same formula


def test_a_commune_officers_list_names_the_commune_by_equality(officer_a, tree):
    """The commune's own index serves the officer's list in its order when the commune is said by
    equality (the scope's subquery of the commune and its villages made PostgreSQL sort the commune for
    every page); the children and their order are the scope's."""
    from children.selectors.registry import children_list, children_page
    from tests.factories import volunteer

    names = ["Trần Thị Bích", "Lê Văn Cường", "Nguyễn Văn An", "Phạm Thị Dung", "Đỗ Văn Em"]
    for index, name in enumerate(names):
        register(officer_a, tree["a"], name=name, village=tree["va"] if index % 2 else None)
    register(staff(tree["d1"]), tree["b"], name="Hoàng Văn Phúc")

    children = children_list(user=officer_a)
    assert f'"children_child"."commune_id" = {tree["a"].pk}' in str(children.query)
    first, cursor = children_page(children=children, size=3)
    second, _last = children_page(children=children, after=cursor, size=3)
    scope = (
        Child.objects.visible_to(officer_a).filter(status=ChildStatus.ACTIVE).order_by("name_folded", "id")
    )
    assert [c.pk for c in first + second] == list(scope.values_list("pk", flat=True))

    for user in (staff(tree["d1"]), volunteer(tree["va"])):
        assert not re.search(r'"children_child"\."commune_id" = \d', str(children_list(user=user).query))


def test_a_district_list_read_commune_by_commune_is_the_scope_in_name_order(officer_a, tree):
    """A district's staff's list (two communes here) is read commune by commune on PostgreSQL, each
    commune's name index in order: page after page, unsearched, searched (by two letters, by a name),
    filtered by household and by group, it is exactly the scope's children in name order, and never a
    child of another district."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from children.selectors.registry import children_list, children_page

    names = ["Trần Thị Bích", "Lê Văn Cường", "Nguyễn Văn An", "Phạm Thị Dung", "Đỗ Văn Em", "Lê Thị An"]
    for index, name in enumerate(names * 2):
        register(
            officer_a if index % 2 else staff(tree["d1"]),
            tree["a"] if index % 2 else tree["b"],
            name=name,
            poverty="poor" if index % 3 else "none",
            confirm_not_duplicate=True,
        )
    register(staff(tree["d2"]), tree["c"], name="Lê Văn An")
    district = staff(tree["d1"])
    scope = Child.objects.visible_to(district).filter(status=ChildStatus.ACTIVE).order_by("name_folded", "id")
    for child in Child.objects.filter(name_folded__startswith="le")[:3]:
        Circumstance.objects.create(child=child, group="G01", identified_on=years_ago(1))
    cases = [({}, scope), ({"query": "an"}, scope.filter(name_folded__contains="an"))]
    cases += [({"query": "van"}, scope.filter(name_folded__contains="van"))]
    cases += [({"poverty": "poor"}, scope.filter(poverty="poor"))]
    cases += [({"group": "G01"}, scope.filter(circumstances__group="G01"))]
    for filters, expected in cases:
        children = children_list(user=district, **filters)
        assert children._communes == tuple(sorted([tree["a"].pk, tree["b"].pk]))
        pages, cursor = [], ""
        with CaptureQueriesContext(connection) as queries:
            while True:
                rows, cursor = children_page(children=children, after=cursor, size=4, within=scope)
                pages.append([child.pk for child in rows])
                if not cursor:
                    break
        assert [pk for page in pages for pk in page] == list(expected.values_list("pk", flat=True))
        assert all(len(page) == 4 for page in pages[:-1]) and expected.count() > 0
        by_commune = [q for q in queries.captured_queries if "LATERAL" in q["sql"]]
        assert len(by_commune) == (len(pages) if connection.vendor == "postgresql" else 0)
    # One commune, or the priority order: the list as before, in one query.
    assert children_list(user=officer_a)._communes == ()
    assert children_list(user=district, order="priority")._communes == ()
    assert children_list(user=district, commune_id=tree["a"].pk)._communes == ()


def test_a_commune_holding_most_of_a_page_is_read_again_for_the_whole_page(tree):
    """Read commune by commune, each commune first gives its share of a page; when one commune holds
    most of the page (its share ends inside it), every commune is read again for a whole page: the
    pages are still exactly the scope's children in name order."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from children.selectors.registry import children_list, children_page

    province = staff(tree["province"])
    for index in range(25):
        register(province, tree["a"], name=f"Đào Thị An {chr(65 + index)}", confirm_not_duplicate=True)
    for commune in (tree["b"], tree["c"]):
        register(province, commune, name="Vũ Văn Bình", confirm_not_duplicate=True)
    scope = Child.objects.visible_to(province).filter(status=ChildStatus.ACTIVE).order_by("name_folded", "id")
    children = children_list(user=province)
    assert len(children._communes) == 3
    with CaptureQueriesContext(connection) as queries:
        first, cursor = children_page(children=children, size=20, within=scope)
    second, last = children_page(children=children, after=cursor, size=20, within=scope)
    assert [c.pk for c in first + second] == list(scope.values_list("pk", flat=True)) and last == ""
    by_commune = [q["sql"] for q in queries.captured_queries if "LATERAL" in q["sql"]]
    # A share of 16 of Xã An's 25 children, all of them inside the page of 20 + 1: read again for 21.
    assert len(by_commune) == (2 if connection.vendor == "postgresql" else 0)


def test_a_scope_past_the_commune_limit_is_read_by_commune_only_where_no_index_serves_the_list(
    tree, monkeypatch
):
    """Past `PAGE_BY_COMMUNE_MOST` communes (three communes against a limit of two here; the demo's
    Thanh Hóa: 549 against 300), a list is read commune by commune only where neither the name index
    nor the trigram index serves it: a search under three letters, a group, a need. Unsearched, or
    searched by three letters or more, it is read as before; every way gives the scope's children in
    name order."""
    from children.selectors.registry import children_list, children_page
    from fund_portal.text import fold

    monkeypatch.setattr("children.selectors.registry.PAGE_BY_COMMUNE_MOST", 2)
    province = staff(tree["province"])
    for index, commune in enumerate([tree["a"], tree["b"], tree["c"]] * 3):
        register(province, commune, name=f"Nguyễn Văn An {chr(65 + index)}", confirm_not_duplicate=True)
    Circumstance.objects.create(child=Child.objects.first(), group="G01", identified_on=years_ago(1))
    scope = Child.objects.visible_to(province).filter(status=ChildStatus.ACTIVE).order_by("name_folded", "id")
    communes = tuple(sorted([tree["a"].pk, tree["b"].pk, tree["c"].pk]))
    cases = [({}, ()), ({"query": "nguyen"}, ()), ({"query": "an"}, communes), ({"query": "vă"}, communes)]
    cases += [({"group": "G01"}, communes), ({"query": "nguyen", "group": "G01"}, ())]
    for filters, read_by in cases:
        children = children_list(user=province, **filters)
        assert children._communes == read_by, filters
        rows, cursor = children_page(children=children, size=4, within=scope)
        while cursor:
            more, cursor = children_page(children=children, after=cursor, size=4, within=scope)
            rows += more
        expected = scope.filter(name_folded__contains=fold(filters.get("query", "")))
        if filters.get("group"):
            expected = expected.filter(circumstances__group=filters["group"])
        assert [child.pk for child in rows] == list(expected.values_list("pk", flat=True)), filters
        assert rows, filters
