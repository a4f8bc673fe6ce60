"""No score lets a user without `children.view_sensitive` read off a child's restricted group: each
group has its own weight (G07 drugs = 25), so the child's page, the priority list and the admin give
them the rank and the terms without points; with the permission, the numbers are all there."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from children.models import Child, PriorityWeight
from children.reference.circumstances import group
from children.services.registry import child_register
from tests.factories import officer, staff
from tests.i18n.english import page_text

pytestmark = pytest.mark.django_db


def _sensitive(user):
    user.user_permissions.add(Permission.objects.get(codename="view_sensitive"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def children(tree):
    recorder = _sensitive(officer(tree["a"], username="canbo_nhay_cam"))
    today = timezone.localdate()

    def register(name, **fields):
        return child_register(
            by=recorder,
            full_name=name,
            birth_date=dt.date(2015, 1, 1),
            sex="male",
            ethnicity="01",
            commune=tree["a"],
            confirm_not_duplicate=True,
            poverty="poor",
            **fields,
        )

    drugs = register("Lò Văn Khánh", circumstances=[{"group": "G07", "identified_on": today}])
    plain = register("Hà Văn Minh")
    assert PriorityWeight.objects.get(factor="group:G07").weight == 25
    assert (drugs.priority, plain.priority) == (25 + 20, 20)
    return drugs, plain


def _priority_section(body: str) -> str:
    return body[body.index('id="priority"') : body.index('id="groups"')]


def test_without_the_permission_the_childs_page_shows_the_rank_and_no_weight(client, tree, children):
    drugs, _plain = children
    client.force_login(officer(tree["a"], username="canbo_thuong"))
    body = client.get(reverse("children:detail", args=[drugs.pk]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    section = _priority_section(body)
    text = re.sub(r'href="[^"]*"', "", section)  # the links hold the child's id
    assert set(re.findall(r"\d+", text)) <= {"1", "2"}  # "number 1 of 2", nothing else
    assert "số 1 trong 2" in section
    assert "Một nhóm hạn chế" in section
    assert group("G07").name not in body


def test_with_the_permission_the_childs_page_explains_every_point(client, tree, children):
    drugs, _plain = children
    client.force_login(_sensitive(officer(tree["a"], username="canbo_duoc_xem")))
    section = _priority_section(
        client.get(reverse("children:detail", args=[drugs.pk]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    )
    assert "45" in section and f"{group('G07').name}: 25" in section


def test_a_hand_set_priority_does_not_show_the_computed_score_without_the_permission(client, tree, children):
    from children.services.care import priority_override_set

    drugs, _plain = children
    priority_override_set(child=drugs, by=officer(tree["a"]), value=99, reason="Gia đình khó khăn đột xuất")
    client.force_login(officer(tree["a"], username="canbo_thuong"))
    section = _priority_section(
        client.get(reverse("children:detail", args=[drugs.pk]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    )
    shown = page_text(section)  # what a person reads: not the addresses of its links (/children/1455/…)
    assert not re.search(r"\b(45|99)\b", shown) and "Gia đình khó khăn đột xuất" in shown


def test_the_priority_list_ranks_without_scores_for_a_user_without_the_permission(client, tree, children):
    drugs, plain = children
    client.force_login(officer(tree["a"], username="canbo_thuong"))
    body = client.get(reverse("children:priority"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    cells = re.findall(r"<tr><td>(\d+)", body)
    assert cells == ["1", "2"]  # ranks, in priority order
    assert body.index(drugs.full_name) < body.index(plain.full_name)
    assert "<td>45" not in body and "<td>20" not in body

    client.force_login(_sensitive(officer(tree["a"], username="canbo_duoc_xem")))
    body = client.get(reverse("children:priority")).content.decode()
    assert re.findall(r"<tr><td>(\d+)", body) == ["45", "20"]


def test_the_ranks_carry_on_across_pages(client, tree, children):
    from children.services.registry import child_register as register

    by = _sensitive(officer(tree["a"], username="canbo_them"))
    for index in range(55):
        register(
            by=by,
            full_name=f"Trẻ Thứ {index}",
            birth_date=dt.date(2014, 1, 1) + dt.timedelta(days=index),
            sex="female",
            ethnicity="01",
            commune=tree["a"],
            confirm_not_duplicate=True,
        )
    client.force_login(officer(tree["a"], username="canbo_thuong"))
    first = client.get(reverse("children:priority")).content.decode()
    assert re.findall(r"<tr><td>(\d+)", first) == [str(n) for n in range(1, 51)]
    cursor = re.search(r"after=([^\"&]+)", first).group(1)
    second = client.get(
        reverse("children:priority") + f"?commune={tree['a'].pk}&after={cursor}"
    ).content.decode()
    assert re.findall(r"<tr><td>(\d+)", second) == [str(n) for n in range(51, 58)]


def test_the_admin_shows_no_computed_score_without_the_permission(client, tree, children):
    drugs, _plain = children
    url = reverse("admin:children_child_change", args=[drugs.pk])
    client.force_login(staff(tree["d1"]))
    body = client.get(url).content.decode()
    assert "field-priority_score" not in body and "field-priority" not in body.replace("field-priority_", "")
    client.force_login(_sensitive(staff(tree["d1"], username="staff_nhay_cam")))
    assert "field-priority_score" in client.get(url).content.decode()
    assert Child.objects.get(pk=drugs.pk).priority_score == 45


@pytest.fixture
def restricted_pair(tree):
    """Two children identical but for a restricted group, drugs (G07, weight 25) registered first and
    trafficked (G12, weight 40), and two children with visible factors only whose scores sit between."""
    from children.priority import priority_recompute

    weights = {"group:G07": 25, "group:G12": 40, "group:G03": 35, "group:G04": 30, "poverty:poor": 20}
    for factor, weight in weights.items():
        PriorityWeight.objects.update_or_create(factor=factor, defaults={"weight": weight})
    recorder = _sensitive(officer(tree["a"], username="canbo_ghi"))
    today = timezone.localdate()

    def register(name, code):
        return child_register(
            by=recorder,
            full_name=name,
            birth_date=dt.date(2015, 1, 1),
            sex="male",
            ethnicity="01",
            commune=tree["a"],
            confirm_not_duplicate=True,
            poverty="poor",
            circumstances=[{"group": code, "identified_on": today}],
        )

    drugs = register("Lò Văn Khánh", "G07")
    trafficked = register("Lò Văn Kiên", "G12")
    relied = register("Hà Văn Minh", "G03")
    disabled = register("Hà Văn Nam", "G04")
    priority_recompute()
    scores = [Child.objects.get(pk=c.pk).priority for c in (drugs, trafficked, relied, disabled)]
    assert scores == [45, 60, 55, 50]
    return drugs, trafficked, relied, disabled


def _paged(user, commune, size):
    from children.selectors.registry import children_list, children_page

    seen, after = [], ""
    while True:
        children = children_list(user=user, commune_id=commune.pk, order="priority")
        page, after = children_page(children=children, after=after, size=size)
        seen += [c.pk for c in page]
        if not after:
            return seen


def test_without_the_permission_every_restricted_group_counts_the_same_in_the_order(
    client, tree, restricted_pair
):
    drugs, trafficked, relied, disabled = restricted_pair
    # Weighed as the heaviest sensitive group (40 + 20 = 60), both restricted children lead the
    # visible ones (55, 50) and are ordered among themselves by registration alone: the drugs child
    # comes first although its true score is the lowest of the four.
    visible_order = [drugs.pk, trafficked.pk, relied.pk, disabled.pk]
    plain = officer(tree["a"], username="canbo_thuong")
    for size in (1, 2, 3, 50):
        assert _paged(plain, tree["a"], size) == visible_order

    client.force_login(plain)
    body = client.get(reverse("children:priority"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert re.findall(r"<tr><td>(\d+)", body) == ["1", "2", "3", "4"]
    names = [c.full_name for c in (drugs, trafficked, relied, disabled)]
    assert sorted(names, key=body.index) == names
    for rank, child in enumerate((drugs, trafficked, relied, disabled), start=1):
        page = client.get(reverse("children:detail", args=[child.pk]), HTTP_ACCEPT_LANGUAGE="vi")
        assert f"số {rank} trong 4" in _priority_section(page.content.decode())


def test_a_changed_weight_not_yet_recomputed_does_not_single_out_its_group(tree, restricted_pair):
    """The stored scores hold the old weight until the recompute task runs: the visible priority is kept
    by the same statement, so it is never a stored score less a new weight (45 - 60 + 60 = 45)."""
    drugs, trafficked, relied, disabled = restricted_pair
    PriorityWeight.objects.filter(factor="group:G07").update(weight=60)  # no recompute yet
    plain = officer(tree["a"], username="canbo_thuong")
    assert _paged(plain, tree["a"], 2) == [drugs.pk, trafficked.pk, relied.pk, disabled.pk]


def test_with_the_permission_the_priority_list_and_ranks_keep_the_true_order(client, tree, restricted_pair):
    drugs, trafficked, relied, disabled = restricted_pair
    allowed = _sensitive(officer(tree["a"], username="canbo_duoc_xem"))
    for size in (1, 3, 50):
        assert _paged(allowed, tree["a"], size) == [trafficked.pk, relied.pk, disabled.pk, drugs.pk]
    client.force_login(allowed)
    body = client.get(reverse("children:priority")).content.decode()
    assert re.findall(r"<tr><td>(\d+)", body) == ["60", "55", "50", "45"]
