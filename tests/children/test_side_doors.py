"""Private data that leaked through side doors (issue 15, section 3): the duplicate check across units,
the withdrawn data consent, the same name and birth date with personal IDs one digit apart."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from children.models import AccessLog, Child, ConsentChange, DuplicateAlert, Sponsorship
from children.selectors.duplicates import duplicate_alerts_open, likely_duplicates
from children.services.care import needs_assess
from children.services.registry import child_register, child_update, consent_set
from children.services.support import sponsorship_start
from fund_portal.models import UnitLevel, User
from tests.factories import DonorFactory, UnitFactory, UserFactory, officer, staff

pytestmark = pytest.mark.django_db

BORN = dt.date(2015, 11, 30)


def register(by, commune, name, born=BORN, **fields) -> Child:
    return child_register(by=by, full_name=name, birth_date=born, sex="female", commune=commune, **fields)


@pytest.fixture
def thao(tree):
    """Dương Ngọc Thảo, born 30/11/2015, registered in commune A ("Xã An", district D1)."""
    return register(
        officer(tree["a"], username="canbo.an"), tree["a"], "Dương Ngọc Thảo", personal_id="038215001234"
    )


# The duplicate check across units ---------------------------------------------------------------------


def test_a_match_in_another_commune_reveals_no_name_date_or_commune_and_the_district_is_told(
    client, tree, thao
):
    officer_b = officer(tree["b"], username="canbo.binh")
    with pytest.raises(ValidationError) as error:
        register(officer_b, tree["b"], "Duong Ngoc Thao", born=BORN + dt.timedelta(days=1))
    message = " ".join(error.value.messages)
    assert error.value.code == "duplicate"
    for secret in ("Dương Ngọc Thảo", "30/11/2015", "Xã An", "038215001234", "1234"):
        assert secret not in message
    assert "ngoài đơn vị của bạn" in message and "cán bộ Quỹ đã được báo" in message
    assert not Child.objects.filter(commune=tree["b"]).exists()

    alert = DuplicateAlert.objects.get()  # recorded although the registration was refused
    assert (alert.existing, alert.unit, alert.commune, alert.by) == (thao, tree["d1"], tree["b"], officer_b)
    assert not DuplicateAlert.objects.visible_to(officer_b).exists()  # the officer cannot read it
    assert not DuplicateAlert.objects.visible_to(staff(tree["d2"], username="huyen.hai")).exists()

    district = staff(tree["d1"], username="huyen.mot")
    client.force_login(district)
    page = client.get(reverse("admin:children_child_duplicates")).content.decode()
    assert "Duong Ngoc Thao" in page and "Dương Ngọc Thảo" in page and "canbo.binh" in page
    assert "••••••••1234" in page and "038215001234" not in page
    client.post(reverse("admin:children_child_duplicates"), {"alert": alert.pk})
    alert.refresh_from_db()
    assert alert.checked_by == district and duplicate_alerts_open(user=district) == []


def test_confirmed_registration_goes_ahead_and_the_alert_points_at_both_records(tree, thao):
    officer_b = officer(tree["b"], username="canbo.binh")
    new = register(
        officer_b, tree["b"], "Duong Ngoc Thao", born=BORN + dt.timedelta(days=1), confirm_not_duplicate=True
    )
    alert = DuplicateAlert.objects.get()
    assert (alert.existing, alert.registered) == (thao, new)
    assert {(p.left.pk, p.right.pk) for p in likely_duplicates(user=staff(tree["d1"]))} == {(thao.pk, new.pk)}


def test_a_personal_id_of_another_district_is_not_confirmed_as_existing(tree, thao):
    officer_c = officer(tree["c"], username="canbo.cuong")
    for confirm in (False, True):
        with pytest.raises(ValidationError) as error:
            register(
                officer_c,
                tree["c"],
                "Lò Văn Páo",
                born=dt.date(2017, 5, 1),
                personal_id="038215001234",
                confirm_not_duplicate=confirm,
            )
        assert error.value.error_dict["personal_id"][0].code == "personal_id_check"
        message = " ".join(error.value.messages)
        assert "cần được Quỹ kiểm tra" in message
        for secret in ("Dương Ngọc Thảo", "Xã An", "Huyện Một", "đã được đăng ký", "trùng"):
            assert secret not in message
    assert Child.objects.count() == 1
    alert = DuplicateAlert.objects.get()  # the same attempt twice is one alert
    assert alert.unit == tree["province"] and alert.reason == "personal_id"
    assert not DuplicateAlert.objects.visible_to(staff(tree["d2"], username="huyen.hai")).exists()
    assert DuplicateAlert.objects.visible_to(staff(tree["province"], username="tinh")).get() == alert
    # Registered without the number, as the message says; the number waits on the alert.
    register(officer_c, tree["c"], "Lò Văn Páo", born=dt.date(2017, 5, 1))
    # Typing the number into an existing record is refused the same way, and changes nothing.
    pao = Child.objects.get(commune=tree["c"])
    with pytest.raises(ValidationError) as error:
        child_update(child=pao, by=officer_c, personal_id="038215001234")
    assert error.value.error_dict["personal_id"][0].code == "personal_id_check"
    pao.refresh_from_db()
    assert pao.personal_id is None


def test_the_portal_form_and_the_admin_do_not_confirm_a_personal_id_of_another_unit(client, tree, thao):
    data = {
        "full_name": "Lò Văn Páo",
        "birth_date": "01/05/2017",
        "sex": "male",
        "ethnicity": "01",
        "personal_id": "038215001234",
        "commune": tree["c"].pk,
        "poverty": "none",
        "confirm_not_duplicate": "on",
    }
    client.force_login(officer(tree["c"], username="canbo.cuong"))
    response = client.post(reverse("children:new"), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get("personal_id", []))
    assert "cần được Quỹ kiểm tra" in errors and "đã tồn tại" not in response.content.decode()
    assert DuplicateAlert.objects.filter(commune=tree["c"]).count() == 1

    client.force_login(staff(tree["d2"], username="huyen.hai"))
    pao = register(officer(tree["c"]), tree["c"], "Lò Văn Páo", born=dt.date(2017, 5, 1))
    change = reverse("admin:children_child_change", args=[pao.pk])
    page = client.get(change)
    assert page.status_code == 200
    form = page.context["adminform"].form
    posted = {
        name: ("" if value is None else value.pk if hasattr(value, "pk") else value)
        for name, value in {**form.initial, "personal_id": "038215001234"}.items()
        if name in form.fields and name != "photo"
    }
    posted["birth_date"] = "01/05/2017"
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        posted.update({management.add_prefix(name): value for name, value in management.initial.items()})
        posted[management.add_prefix("TOTAL_FORMS")] = management.initial["INITIAL_FORMS"]
        for inline_form in inline.formset.forms:  # the read-only inlines post their ids back
            posted.update(
                {
                    inline_form.add_prefix(name): (v.pk if hasattr(v, "pk") else v)
                    for name, v in inline_form.initial.items()
                    if v is not None
                }
            )
    response = client.post(change, posted)
    body = response.content.decode()
    assert "cần được Quỹ kiểm tra" in body and "đã tồn tại" not in body
    pao.refresh_from_db()
    assert pao.personal_id is None


def test_an_alert_across_provinces_is_seen_by_superusers_only(tree, thao):
    other = UnitFactory(code="91", name="Tỉnh Khác", level=UnitLevel.PROVINCE, parent=None)
    district = UnitFactory(code="911", name="Huyện Xa", level=UnitLevel.DISTRICT, parent=other)
    commune = UnitFactory(code="91101", name="Xã Xa", level=UnitLevel.COMMUNE, parent=district)
    with pytest.raises(ValidationError):
        register(officer(commune), commune, "Khác Tên", born=dt.date(2016, 1, 1), personal_id="038215001234")
    alert = DuplicateAlert.objects.get()
    assert alert.unit is None
    for unit in (tree["province"], tree["d1"], other, district):
        assert not DuplicateAlert.objects.visible_to(staff(unit)).exists()
    assert DuplicateAlert.objects.visible_to(
        User.objects.create_superuser("quy", "q@example.org", "x")
    ).exists()


# Personal IDs one digit apart ------------------------------------------------------------------------


def test_the_same_name_and_birth_date_with_ids_one_digit_apart_is_warned_and_listed(client, tree):
    by = officer(tree["a"], username="canbo.an")
    first = register(by, tree["a"], "Hoàng Minh Tú", personal_id="038215000234")
    for pid in ("038215000235", "038215000236"):
        with pytest.raises(ValidationError) as error:
            register(by, tree["a"], "Hoang Minh Tu", personal_id=pid)
        assert error.value.code == "duplicate"
        assert "Hoàng Minh Tú" in error.value.messages[0]  # the officer's own commune: shown
        assert "khác mã định danh" in error.value.messages[0]
        register(by, tree["a"], "Hoàng Minh Tú", personal_id=pid, confirm_not_duplicate=True)
    district = staff(tree["d1"], username="huyen.mot")
    pairs = likely_duplicates(user=district)
    ids = Child.objects.order_by("pk").values_list("pk", flat=True)
    assert {(p.left.pk, p.right.pk) for p in pairs} == {(ids[0], ids[1]), (ids[0], ids[2]), (ids[1], ids[2])}
    assert {p.code for p in pairs} == {"same_other_id"} and first.pk == ids[0]
    client.force_login(district)
    page = client.get(reverse("admin:children_child_duplicates")).content.decode()
    assert page.count("cần kiểm tra mã nào đúng") == 3
    assert "••••••••0234" in page and "••••••••0236" in page


# The withdrawn data consent -------------------------------------------------------------------------


@pytest.fixture
def consented(tree):
    """A child of commune A whose guardian consented to the data and a story, sponsored, with a need."""
    by = officer(tree["a"], username="canbo.an")
    child = register(by, tree["a"], "Nguyễn Thị Hoa", born=dt.date(2016, 4, 2), data_consent=True)
    child = consent_set(child=child, by=by, data_consent=True, story_consent=True, story="Em thích vẽ tranh.")
    today = timezone.localdate()
    needs_assess(child=child, by=by, year=today.year, on=today, needs={"education": (3, "")})
    Child.objects.filter(pk=child.pk).update(photo="children/photos/2026/hoa.jpg")
    district = staff(tree["d1"], username="huyen.mot")
    donor = DonorFactory(unit=tree["d1"], name="Công ty Hạnh Phúc", user=UserFactory(username="nha.tai.tro"))
    sponsorship = sponsorship_start(
        by=district, donor=donor, child=child, starts_on=today, monthly_amount=500_000
    )
    return {"child": child, "officer": by, "district": district, "donor": donor, "sponsorship": sponsorship}


def withdraw(client, consented, capture):
    client.force_login(consented["officer"])
    url = reverse("children:consent", args=[consented["child"].pk])
    with capture(execute=True):  # the public pages' cache is bumped when the change commits
        response = client.post(url, {"data_consent": "", "story_consent": "", "story": ""})
    assert response.status_code == 302
    client.logout()


def test_withdrawing_the_data_consent_takes_the_child_off_every_sponsor_and_public_surface(
    client, consented, django_capture_on_commit_callbacks
):
    child, sponsorship = consented["child"], consented["sponsorship"]
    progress = reverse("sponsorship:progress", args=[sponsorship.token])
    assert "Em thích vẽ tranh." in client.get(progress).content.decode()
    needs_before = client.get(reverse("public:needs")).content.decode()
    assert "Em thích vẽ tranh." in needs_before and "Xã An" in needs_before

    withdraw(client, consented, django_capture_on_commit_callbacks)

    assert client.get(progress).status_code == 404
    assert client.get(reverse("sponsorship:photo", args=[sponsorship.token])).status_code == 404
    needs_after = client.get(reverse("public:needs")).content.decode()
    assert "Em thích vẽ tranh." not in needs_after and "Xã An" not in needs_after  # its count went too
    client.force_login(consented["donor"].user)
    mine = client.get(reverse("donations:mine")).content.decode()
    assert progress not in mine and "Quỹ sẽ liên hệ với bạn" in mine
    # No new sponsor is linked to the child.
    with pytest.raises(ValidationError) as error:
        sponsorship_start(
            by=consented["district"],
            donor=DonorFactory(unit=child.commune.parent),
            child=child,
            starts_on=timezone.localdate(),
            monthly_amount=100_000,
        )
    assert error.value.code == "restricted" and Sponsorship.objects.count() == 1


def test_a_withdrawal_is_kept_with_who_and_when_and_the_record_stays_for_the_commune(
    client, consented, django_capture_on_commit_callbacks
):
    child = consented["child"]
    withdraw(client, consented, django_capture_on_commit_callbacks)
    child.refresh_from_db()
    assert child.data_restricted and not child.data_consent and not child.story_consent
    assert child.story == "Em thích vẽ tranh."  # kept for the record, never shown
    change = ConsentChange.objects.filter(child=child).first()
    assert change.withdrawn and change.by == consented["officer"] and change.at is not None
    assert ConsentChange.objects.filter(child=child).count() == 3  # registered, story, withdrawn
    client.force_login(consented["officer"])
    page = client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert "Nguyễn Thị Hoa" in page and "Người giám hộ đã rút lại đồng ý lưu dữ liệu của trẻ" in page
    assert "Lịch sử sự đồng ý" in page and "canbo.an" in page
    log = AccessLog.objects.filter(child=child).latest("at")
    assert log.reason == "Hồ sơ hạn chế xử lý (đã rút lại đồng ý lưu dữ liệu)"
    client.force_login(consented["district"])  # the admin shows the history, and the consent read-only
    admin_page = client.get(reverse("admin:children_child_change", args=[child.pk])).content.decode()
    assert "Thay đổi sự đồng ý" in admin_page or "thay đổi sự đồng ý" in admin_page
    assert 'name="data_consent"' not in admin_page
    # Consent given again lifts the restriction.
    consent_set(child=child, by=consented["officer"], data_consent=True, story_consent=False)
    child.refresh_from_db()
    assert not child.data_restricted


def test_a_withdrawn_child_is_left_out_of_the_children_export(
    client, consented, tree, django_capture_on_commit_callbacks
):
    import io

    from openpyxl import load_workbook

    other = register(consented["officer"], tree["a"], "Trần Văn Bình", born=dt.date(2014, 2, 3))
    withdraw(client, consented, django_capture_on_commit_callbacks)
    client.force_login(consented["officer"])
    response = client.post(reverse("children:export"), {"reason": "Báo cáo huyện"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value)
    assert other.full_name in text and "Nguyễn Thị Hoa" not in text
    assert AccessLog.objects.filter(action="export").get().child_ids == [other.pk]


def test_a_withdrawal_in_an_imported_list_restricts_the_record_as_the_form_does(consented):
    from children.imports.children import children_import
    from fund_portal.exports import xlsx_bytes

    child = consented["child"]
    headers = ["Họ và tên", "Ngày sinh", "Giới tính (Nam/Nữ)", "Mã xã", "Đồng ý lưu dữ liệu"]
    data = xlsx_bytes(
        title="Danh sách", headers=headers, rows=[["Nguyễn Thị Hoa", "02/04/2016", "Nữ", "", "Không"]]
    )
    result = children_import(
        uploaded=io.BytesIO(data), by=consented["officer"], dry_run=False, name="ds.xlsx"
    )
    assert result.written and result.updated == 1, result.error_messages()
    child.refresh_from_db()
    assert child.data_restricted and not child.data_consent and not child.story_consent
    change = ConsentChange.objects.filter(child=child).first()
    assert change.withdrawn and change.by == consented["officer"]


def test_a_merge_keeps_the_withdrawal_of_either_record(tree, consented, django_capture_on_commit_callbacks):
    from children.services.duplicates import child_merge

    child = consented["child"]
    consent_set(child=child, by=consented["officer"], data_consent=False, story_consent=False)
    twin = register(
        consented["officer"],
        tree["a"],
        "Nguyễn Thị Hoa",
        born=dt.date(2016, 4, 2),
        data_consent=True,
        confirm_not_duplicate=True,
    )
    kept = child_merge(keep=twin, remove=Child.objects.get(pk=child.pk), by=consented["district"])
    assert kept.data_restricted and not kept.data_consent
    assert ConsentChange.objects.filter(child=kept, withdrawn=True, by=consented["district"]).exists()
