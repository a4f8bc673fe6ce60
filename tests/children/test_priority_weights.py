"""The priority as the source documents set it: the commune's flags (especially difficult commune,
ethnic-minority and mountainous area) are factors of the formula, and each fund may have weights of its
own, which count for the children it governs (the nearest fund at or above their commune)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from children.models import Child, PriorityWeight
from children.priority import (
    DIFFICULT,
    ETHNIC_MOUNTAINOUS,
    priority_contexts,
    priority_explain,
    priority_recompute,
    priority_score,
    weights_visible,
)
from children.services.registry import child_register
from children.services.weights import priority_weight_remove, priority_weight_set
from children.tasks import priority_recompute_task, priority_recompute_units_task
from donations.selectors.funds import fund_governed_communes, funds_governing
from fund_portal.authority import NotAllowed
from fund_portal.models import AdministrativeUnit, Role, User
from fund_portal.services import unit_save
from tests.factories import TEST_PASSWORD, FundFactory, UserFactory, give_totp, officer, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def funds(tree):
    """Fund A of district D1 (communes A and B), fund B of district D2 (commune C)."""
    return {
        "A": FundFactory(unit=tree["d1"], name="Quỹ Huyện Một", code="huyen-mot"),
        "B": FundFactory(unit=tree["d2"], name="Quỹ Huyện Hai", code="huyen-hai"),
    }


@pytest.fixture
def staff_d1(tree):
    return staff(tree["d1"], username="canbo.huyen1")


@pytest.fixture
def staff_d2(tree):
    return staff(tree["d2"], username="canbo.huyen2")


@pytest.fixture
def superuser():
    user = User.objects.create_superuser("quantri", "quantri@example.org", TEST_PASSWORD)
    give_totp(user)
    return user


def register(commune, name, *, poverty="poor", out_of_school=False) -> Child:
    """A child of the commune, registered by an administrator, with its priority computed by the services."""
    today = timezone.localdate()
    by = User.objects.filter(username="dangky").first() or User.objects.create_superuser(
        "dangky", "", TEST_PASSWORD
    )
    child = child_register(
        by=by,
        full_name=name,
        birth_date=today.replace(year=today.year - 9),
        sex="male",
        ethnicity="01",
        commune=commune,
        poverty=poverty,
        out_of_school=out_of_school,
        confirm_not_duplicate=True,
    )
    child.refresh_from_db()
    return child


def flag(unit, **flags) -> None:
    AdministrativeUnit.objects.filter(pk=unit.pk).update(**flags)


def priorities(*children) -> list[int]:
    return [Child.objects.get(pk=child.pk).priority for child in children]


# --- The commune's flags ---------------------------------------------------------------------------


def test_the_commune_factors_have_default_weights_in_the_default_set():
    defaults = dict(PriorityWeight.objects.filter(fund__isnull=True).values_list("factor", "weight"))
    assert (defaults[DIFFICULT], defaults[ETHNIC_MOUNTAINOUS]) == (20, 10)
    assert defaults["poverty:poor"] == 20 and defaults["group:G01"] == 40


def test_a_child_in_an_especially_difficult_commune_outranks_an_otherwise_equal_child_elsewhere(tree):
    flag(tree["c"], is_especially_difficult=True, is_ethnic_mountainous=True)
    elsewhere = register(tree["a"], "Lê Văn An")
    difficult = register(tree["c"], "Lò Văn Páo")
    assert (elsewhere.priority, difficult.priority) == (20, 20 + 20 + 10)
    assert difficult.priority_visible == difficult.priority == difficult.priority_score
    flag(tree["b"], is_ethnic_mountainous=True)
    mountainous = register(tree["b"], "Vàng A Sử")
    assert mountainous.priority == 20 + 10
    # An orphan elsewhere still comes first: the commune counts as much as a poor household.
    orphan = register(tree["a"], "Trần Văn Cường", poverty="none")
    from children.services.registry import circumstance_add

    circumstance_add(
        child=orphan, by=User.objects.get(username="dangky"), group="G01", identified_on=timezone.localdate()
    )
    assert priorities(orphan, difficult) == [40, 50]


def test_a_communes_flag_changed_in_the_tree_recomputes_its_children(
    tree, django_capture_on_commit_callbacks
):
    child = register(tree["a"], "Lê Văn An")
    other = register(tree["c"], "Lò Văn Páo")
    commune = AdministrativeUnit.objects.get(pk=tree["a"].pk)
    commune.is_especially_difficult = True
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        unit_save(unit=commune)
    assert len(callbacks) == 1  # the hook that enqueues the recompute of the unit's communes
    assert priorities(child) == [20]  # until the worker runs it
    assert priority_recompute_units_task(unit_ids=[tree["d1"].pk]) == 1  # what the worker does
    assert priorities(child, other) == [40, 20]
    commune.name = "Xã An Mới"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        unit_save(unit=commune)
    assert callbacks == []  # a new name changes no priority


def test_the_childs_page_names_the_commune_factors_in_vietnamese(tree, client):
    flag(tree["a"], is_especially_difficult=True, is_ethnic_mountainous=True)
    child = register(tree["a"], "Lê Văn An")
    with translation.override("vi"):
        terms = priority_explain(child, show_sensitive=True)
    assert ("Xã đặc biệt khó khăn", 20) in terms and ("Vùng dân tộc thiểu số và miền núi", 10) in terms
    assert sum(points for _label, points in terms) == child.priority_score == 50
    client.force_login(officer(tree["a"], username="canbo.a"))
    page = client.get(reverse("children:detail", args=[child.pk]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Xã đặc biệt khó khăn" in page and "Vùng dân tộc thiểu số và miền núi" in page
    plain = register(tree["a"], "Lê Văn Bình")
    flag(tree["a"], is_especially_difficult=False)
    page = client.get(reverse("children:detail", args=[plain.pk]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Xã đặc biệt khó khăn" not in page and "Vùng dân tộc thiểu số và miền núi" in page


# --- Weights per fund ------------------------------------------------------------------------------


def test_the_governing_fund_is_the_nearest_active_fund_at_or_above_the_commune(tree, funds):
    assert funds_governing(unit_ids=[tree["a"].pk, tree["c"].pk, tree["va"].pk]) == {
        tree["a"].pk: funds["A"].pk,
        tree["c"].pk: funds["B"].pk,
        tree["va"].pk: funds["A"].pk,
    }
    own = FundFactory(unit=tree["a"], name="Quỹ xã An", code="xa-an")
    assert funds_governing(unit_ids=[tree["a"].pk, tree["b"].pk]) == {
        tree["a"].pk: own.pk,
        tree["b"].pk: funds["A"].pk,
    }
    assert fund_governed_communes(fund=funds["A"]) == [tree["b"].pk]
    own.is_active = False
    own.save()
    assert fund_governed_communes(fund=funds["A"]) == sorted([tree["a"].pk, tree["b"].pk])
    assert funds_governing(unit_ids=[tree["province"].pk]) == {tree["province"].pk: None}


def test_fund_as_weights_do_not_change_fund_bs_childrens_scores(
    tree, funds, staff_d1, django_capture_on_commit_callbacks
):
    in_a, in_b, in_c = (
        register(tree["a"], "Lê Văn An"),
        register(tree["b"], "Hà Văn Tú"),
        register(tree["c"], "Lò Văn Páo"),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        row = priority_weight_set(
            by=staff_d1, fund=funds["A"], factor="poverty:poor", weight=50, note=" Hộ nghèo "
        )
    assert (row.fund, row.weight, row.note) == (funds["A"], 50, "Hộ nghèo")
    assert len(callbacks) == 1
    assert priority_recompute_task(fund_id=funds["A"].pk) == 2  # the worker: fund A's two children only
    assert priorities(in_a, in_b, in_c) == [50, 50, 20]
    # Recomputing everything (a default weight changed) keeps each fund's own weights.
    priority_recompute()
    assert priorities(in_a, in_b, in_c) == [50, 50, 20]
    assert PriorityWeight.objects.get(fund__isnull=True, factor="poverty:poor").weight == 20
    # Taking fund A's own weight away: the default counts again.
    priority_weight_remove(by=staff_d1, weight=row)
    priority_recompute_task(fund_id=funds["A"].pk)
    assert priorities(in_a, in_b, in_c) == [20, 20, 20]


def test_the_default_set_applies_where_a_fund_has_no_own_row(tree, funds, superuser):
    priority_weight_set(by=None, fund=funds["A"], factor="poverty:poor", weight=50)
    flag(tree["a"], is_especially_difficult=True)
    child = register(tree["a"], "Lê Văn An", out_of_school=True)
    assert child.priority == 50 + 10 + 20  # fund A's poor household, the default out of school and commune
    priority_weight_set(by=superuser, fund=None, factor="out_of_school", weight=15)
    priority_weight_set(by=superuser, fund=None, factor="poverty:poor", weight=25)
    priority_recompute_task()
    assert priorities(child) == [50 + 15 + 20]
    # A commune fund of its own, without weights of its own, governs commune A: the default set counts.
    FundFactory(unit=tree["a"], name="Quỹ xã An", code="xa-an")
    priority_recompute()
    assert priorities(child) == [25 + 15 + 20]


def test_the_formula_in_python_gives_what_the_recompute_gives_with_flags_and_fund_weights(tree, funds):
    from children.demo import seed_children

    flag(tree["a"], is_especially_difficult=True, is_ethnic_mountainous=True)
    flag(tree["c"], is_ethnic_mountainous=True)
    priority_weight_set(by=None, fund=funds["A"], factor="group:G07", weight=60)
    priority_weight_set(by=None, fund=funds["B"], factor=DIFFICULT, weight=5)
    priority_weight_set(by=None, fund=funds["B"], factor=ETHNIC_MOUNTAINOUS, weight=33)
    seed_children(count=200)
    before = {pk: row for pk, *row in Child.objects.values_list("pk", "priority", "priority_visible")}
    priority_recompute()
    after = {pk: row for pk, *row in Child.objects.values_list("pk", "priority", "priority_visible")}
    assert after == before
    contexts = priority_contexts(commune_ids=[tree["a"].pk, tree["c"].pk])
    assert (
        contexts[tree["a"].pk].weights["group:G07"] == 60
        and contexts[tree["c"].pk].weights["group:G07"] == 25
    )
    assert priority_score(weights=contexts[tree["c"].pk].weights, **contexts[tree["c"].pk].flags) == 33
    assert weights_visible(contexts[tree["a"].pk].weights)["group:G11"] == 60  # the heaviest sensitive


def test_a_weight_has_one_default_row_and_one_row_per_fund(funds):
    PriorityWeight.objects.create(fund=funds["A"], factor="poverty:poor", weight=30)
    PriorityWeight.objects.create(fund=funds["B"], factor="poverty:poor", weight=40)
    for fund in (None, funds["A"]):
        with pytest.raises(IntegrityError), transaction.atomic():
            PriorityWeight.objects.create(fund=fund, factor="poverty:poor", weight=1)


# --- Who may change them ---------------------------------------------------------------------------


def test_staff_set_their_own_funds_weights_and_only_the_administrator_the_default_set(
    tree, funds, staff_d1, staff_d2, superuser
):
    before = PriorityWeight.objects.count()
    with translation.override("vi"):
        with pytest.raises(ValidationError) as outside:
            priority_weight_set(by=staff_d2, fund=funds["A"], factor="poverty:poor", weight=50)
        assert "Quỹ này nằm ngoài đơn vị của bạn." in outside.value.messages
        with pytest.raises(ValidationError) as default:
            priority_weight_set(by=staff_d1, fund=None, factor="poverty:poor", weight=50)
        assert "Chỉ quản trị hệ thống được sửa trọng số mặc định" in default.value.messages[0]
        with pytest.raises(ValidationError):  # the commune officer reaches no district's fund
            priority_weight_set(by=officer(tree["a"]), fund=funds["A"], factor="poverty:poor", weight=50)
        with pytest.raises(NotAllowed):
            auditor = UserFactory(role=Role.AUDITOR, unit=tree["d1"], username="kiemtra")
            priority_weight_set(by=auditor, fund=funds["A"], factor="poverty:poor", weight=50)
        with pytest.raises(ValidationError) as bad:
            priority_weight_set(by=staff_d1, fund=funds["A"], factor="poverty:rich", weight=-1)
        assert bad.value.message_dict == {
            "factor": ["“poverty:rich” không phải là yếu tố của công thức ưu tiên."],
            "weight": ["Trọng số là số nguyên từ 0 đến 1000."],
        }
        default_row = PriorityWeight.objects.get(fund__isnull=True, factor="poverty:poor")
        with pytest.raises(ValidationError) as removed:
            priority_weight_remove(by=superuser, weight=default_row)
        assert removed.value.messages == ["Trọng số của bộ mặc định chỉ được sửa, không được xóa."]
    assert PriorityWeight.objects.count() == before
    priority_weight_set(by=staff_d1, fund=funds["A"], factor="poverty:poor", weight=50)
    priority_weight_set(by=superuser, fund=None, factor="poverty:poor", weight=25)
    assert PriorityWeight.objects.count() == before + 1


def test_the_weights_admin_shows_staff_their_funds_and_the_default_set_and_writes_through_the_service(
    client, tree, funds, staff_d1, superuser
):
    PriorityWeight.objects.create(fund=funds["B"], factor="poverty:poor", weight=77, note="Của quỹ B")
    changelist = reverse("admin:children_priorityweight_changelist")
    client.force_login(staff_d1)
    page = client.get(changelist, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Bộ mặc định" in page and "Xã đặc biệt khó khăn" in page and "Của quỹ B" not in page
    # A default weight is read-only for staff: a POST to it changes nothing.
    default_row = PriorityWeight.objects.get(fund__isnull=True, factor="poverty:poor")
    change = reverse("admin:children_priorityweight_change", args=[default_row.pk])
    client.post(change, {"weight": "90", "note": ""})
    assert PriorityWeight.objects.get(pk=default_row.pk).weight == 20
    # Their fund's own weight, added in the admin.
    add = reverse("admin:children_priorityweight_add")
    response = client.post(
        add, {"fund": funds["A"].pk, "factor": DIFFICULT, "weight": "35", "note": "QĐ 588"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PriorityWeight.objects.get(fund=funds["A"], factor=DIFFICULT).weight == 35
    # Fund B is not theirs; the default set (no fund) is not theirs either.
    for fund in (funds["B"].pk, ""):
        response = client.post(add, {"fund": fund, "factor": "out_of_school", "weight": "35"})
        assert response.status_code == 200
    assert not PriorityWeight.objects.filter(factor="out_of_school", weight=35).exists()
    client.force_login(superuser)
    client.post(change, {"weight": "24", "note": "Hộ nghèo"})
    assert PriorityWeight.objects.get(pk=default_row.pk).weight == 24


def test_a_fund_added_in_the_admin_takes_its_communes_weights_over_after_the_recompute(
    client, tree, funds, staff_d1, django_capture_on_commit_callbacks
):
    priority_weight_set(by=None, fund=funds["A"], factor="poverty:poor", weight=50)
    child = register(tree["a"], "Lê Văn An")
    assert child.priority == 50
    client.force_login(staff_d1)
    inline = {f"bank_accounts-{key}": value for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("admin:donations_fund_add"),
            {"unit": tree["a"].pk, "name": "Quỹ xã An", "code": "xa-an", "is_active": "on", **inline},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert (
        priority_recompute_task.delay in callbacks
    )  # the recompute is enqueued (and the public pages bumped)
    assert len(callbacks) == 2
    priority_recompute_task()  # what the worker does
    assert priorities(child) == [20]  # the commune's own fund, without weights of its own: the default set
