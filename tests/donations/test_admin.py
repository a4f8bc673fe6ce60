"""District staff run the fund in the admin, scoped to their district, every write through the services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from donations.models import Disbursement, DisbursementStatus, Donation, DonationStatus, LedgerEntry
from donations.services.disbursements import disbursement_propose
from donations.services.donations import donation_create, donation_post
from tests.factories import FundFactory

pytestmark = pytest.mark.django_db


def test_staff_see_only_the_funds_and_donations_of_their_district(
    client, tree, fund, district_staff, yesterday
):
    other_fund = FundFactory(unit=tree["d2"], name="Quỹ Huyện Hai")
    own = donation_create(fund=fund, amount=150_000, received_on=yesterday)
    other = donation_create(fund=other_fund, amount=990_000, received_on=yesterday)
    client.force_login(district_staff)
    listing = client.get(reverse("admin:donations_donation_changelist")).content.decode()
    assert reverse("admin:donations_donation_change", args=[own.pk]) in listing
    assert reverse("admin:donations_donation_change", args=[other.pk]) not in listing
    assert "150.000 ₫" in listing
    assert client.get(reverse("admin:donations_donation_change", args=[other.pk])).status_code == 302
    funds = client.get(reverse("admin:donations_fund_changelist")).content.decode()
    assert fund.name in funds and other_fund.name not in funds


def test_a_fund_filter_outside_the_staff_scope_lists_nothing_without_querying_the_list(
    client, tree, fund, district_staff, yesterday
):
    other_fund = FundFactory(unit=tree["d2"], name="Quỹ Huyện Hai")
    FundFactory(unit=tree["a"], name="Quỹ Xã An")  # two funds in scope: the list shows its fund filter
    own = donation_create(fund=fund, amount=150_000, received_on=yesterday)
    other = donation_create(fund=other_fund, amount=990_000, received_on=yesterday)
    client.force_login(district_staff)
    url = reverse("admin:donations_donation_changelist")
    listing = client.get(url, {"fund__id__exact": fund.pk}).content.decode()
    assert reverse("admin:donations_donation_change", args=[own.pk]) in listing

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"fund__id__exact": other_fund.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("admin:donations_donation_change", args=[other.pk]) not in page
    assert reverse("admin:donations_donation_change", args=[own.pk]) not in page
    # The filter's fund is looked up in the scope; no query of the list names it.
    listed = [q["sql"] for q in queries if 'FROM "donations_donation"' in q["sql"]]
    assert not [
        sql for sql in listed if f'"fund_id" = {other_fund.pk}' in sql.replace("(", "").replace(")", "")
    ]
    # A value that is not an id is the admin's usual "wrong parameters", not an error page.
    assert client.get(url, {"fund__id__exact": "abc"}).status_code in (200, 302)


def test_staff_post_donations_from_the_list_and_get_receipt_numbers(client, fund, district_staff, yesterday):
    pending = [donation_create(fund=fund, amount=100_000 * (i + 1), received_on=yesterday) for i in range(3)]
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:donations_donation_changelist"),
        {"action": "post_selected", "_selected_action": [d.pk for d in pending]},
        follow=True,
    )
    assert response.status_code == 200
    assert Donation.objects.filter(status=DonationStatus.POSTED).count() == 3
    assert LedgerEntry.objects.count() == 3
    assert set(Donation.objects.values_list("posted_by", flat=True)) == {district_staff.pk}


def test_a_posted_donation_cannot_be_changed_or_deleted_in_the_admin(client, fund, district_staff, yesterday):
    donation = donation_post(
        donation=donation_create(fund=fund, amount=100_000, received_on=yesterday), by=None
    )
    client.force_login(district_staff)
    url = reverse("admin:donations_donation_change", args=[donation.pk])
    client.post(url, {"amount": 1, "received_on": yesterday.strftime("%d/%m/%Y")})
    donation.refresh_from_db()
    assert donation.amount == 100_000
    assert client.get(reverse("admin:donations_donation_delete", args=[donation.pk])).status_code == 403


def test_the_ledger_is_read_only_in_the_admin(client, fund, district_staff, yesterday):
    donation_post(donation=donation_create(fund=fund, amount=100_000, received_on=yesterday), by=None)
    entry = LedgerEntry.objects.get()
    client.force_login(district_staff)
    assert client.get(reverse("admin:donations_ledgerentry_changelist")).status_code == 200
    assert client.get(reverse("admin:donations_ledgerentry_add")).status_code == 403
    assert client.get(reverse("admin:donations_ledgerentry_delete", args=[entry.pk])).status_code == 403


def test_approving_ones_own_disbursement_in_the_admin_is_refused_with_a_message(
    client, fund, district_staff, second_staff, yesterday
):
    donation_post(donation=donation_create(fund=fund, amount=500_000, received_on=yesterday), by=None)
    proposal = disbursement_propose(
        by=district_staff, fund=fund, amount=200_000, spent_on=yesterday, purpose="Khám sức khoẻ"
    )
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:donations_disbursement_changelist"),
        {"action": "approve_selected", "_selected_action": [proposal.pk]},
        follow=True,
    )
    assert "không được tự phê duyệt" in response.content.decode()
    assert Disbursement.objects.get().status == DisbursementStatus.PROPOSED

    client.force_login(second_staff)
    client.post(
        reverse("admin:donations_disbursement_changelist"),
        {"action": "approve_selected", "_selected_action": [proposal.pk]},
        follow=True,
    )
    assert Disbursement.objects.get().status == DisbursementStatus.APPROVED


def test_staff_check_then_import_a_donation_spreadsheet_in_the_admin(client, fund, district_staff, yesterday):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Ngày nhận", "Số tiền", "Hình thức", "Nhà tài trợ", "Quỹ", "Mã chứng từ"])
    sheet.append([yesterday.strftime("%d/%m/%Y"), "1.500.000", "Tiền mặt", "Bùi Văn Lộc", fund.code, "PT-01"])
    sheet.append([yesterday, 2_000_000, "Chuyển khoản", "", fund.code, "PT-02"])
    data = io.BytesIO()
    book.save(data)

    def upload(dry_run):
        file = io.BytesIO(data.getvalue())
        file.name = "ung-ho.xlsx"
        return client.post(
            reverse("admin:donations_donation_import"),
            {"file": file, **({"dry_run": "on"} if dry_run else {})},
        )

    client.force_login(district_staff)
    template = client.get(reverse("admin:donations_donation_import_template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"
    checked = upload(dry_run=True)
    assert checked.status_code == 200 and "Bùi Văn Lộc" in checked.content.decode()
    assert not Donation.objects.exists()
    assert upload(dry_run=False).status_code == 302
    assert Donation.objects.filter(status=DonationStatus.POSTED).count() == 2
    refused = upload(dry_run=False)
    assert refused.status_code == 200 and "PT-01" in refused.content.decode()
    assert Donation.objects.count() == 2


def test_staff_reverse_a_posted_donation_with_a_reason_in_the_admin(client, fund, district_staff, yesterday):
    donation = donation_post(
        donation=donation_create(fund=fund, amount=400_000, received_on=yesterday), by=None
    )
    client.force_login(district_staff)
    url = reverse("admin:donations_donation_reverse", args=[donation.pk])
    change_page = client.get(reverse("admin:donations_donation_change", args=[donation.pk])).content.decode()
    assert url in change_page
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200 and LedgerEntry.objects.count() == 1
    assert client.post(url, {"reason": "Ghi nhầm quỹ"}).status_code == 302
    assert sorted(LedgerEntry.objects.values_list("amount", flat=True)) == [-400_000, 400_000]
    again = client.post(url, {"reason": "lần nữa"})
    assert again.status_code == 200 and LedgerEntry.objects.count() == 2


def test_the_admin_refuses_a_donation_into_another_districts_fund(
    client, tree, fund, district_staff, yesterday
):
    other_fund = FundFactory(unit=tree["d2"], name="Quỹ Huyện Hai")
    client.force_login(district_staff)
    form = client.get(reverse("admin:donations_donation_add")).content.decode()
    assert fund.name in form and other_fund.name not in form
    response = client.post(
        reverse("admin:donations_donation_add"),
        {
            "fund": other_fund.pk,
            "kind": "cash",
            "amount": 100000,
            "received_on": yesterday.strftime("%d/%m/%Y"),
            "source": "child_fund",
            "restriction": "none",
            "display_preference": "full_name",
        },
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["fund"]
    assert not Donation.objects.exists()


def test_staff_record_a_donation_in_the_admin_and_it_waits_for_posting(
    client, fund, district_staff, yesterday
):
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:donations_donation_add"),
        {
            "fund": fund.pk,
            "kind": "cash",
            "amount": 250000,
            "received_on": yesterday.strftime("%d/%m/%Y"),
            "source": "child_fund",
            "restriction": "none",
            "display_preference": "full_name",
            "donor_name": "Ông Ba",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.PENDING and donation.created_by == district_staff


def test_a_disbursement_dated_in_the_future_is_refused_on_the_admin_form(client, fund, district_staff):
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:donations_disbursement_add"),
        {
            "fund": fund.pk,
            "medium": "cash",
            "amount": 100000,
            "recipient_kind": "children",
            "purpose": "Quà",
            "spent_on": "01/01/2099",
            "restriction": "none",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors.get("spent_on")
    assert not Disbursement.objects.exists()


def test_staff_enter_a_disbursement_in_the_admin(client, fund, district_staff, yesterday):
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:donations_disbursement_add"),
        {
            "fund": fund.pk,
            "medium": "cash",
            "amount": 100000,
            "recipient_kind": "children",
            "purpose": "Quà",
            "spent_on": yesterday.strftime("%d/%m/%Y"),
            "restriction": "none",
        },
    )
    assert response.status_code == 302
    assert Disbursement.objects.get().created_by == district_staff


def _pledge_form(pledge, **changes) -> dict:
    data = {
        "fund": pledge.fund_id,
        "donor": pledge.donor_id,
        "amount": pledge.amount,
        "pledged_on": pledge.pledged_on.strftime("%d/%m/%Y"),
        "due_by": pledge.due_by.strftime("%d/%m/%Y") if pledge.due_by else "",
        "note": pledge.note,
    }
    return {**data, **changes}


def test_a_pledge_edited_in_the_admin_goes_through_its_service_and_records_the_editor(
    client, fund, district_staff, second_staff, yesterday
):
    from donations.services.pledges import pledge_create
    from tests.factories import DonorFactory

    pledge = pledge_create(
        fund=fund,
        donor=DonorFactory(unit=fund.unit),
        amount=5_000_000,
        pledged_on=yesterday,
        by=district_staff,
    )
    client.force_login(second_staff)
    url = reverse("admin:donations_pledge_change", args=[pledge.pk])

    refused = client.post(url, _pledge_form(pledge, amount=9_000_000, pledged_on="01/01/2099"))
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors.get("pledged_on")
    pledge.refresh_from_db()
    assert pledge.amount == 5_000_000 and pledge.edited_by is None

    assert client.post(url, _pledge_form(pledge)).status_code == 302  # unchanged: no editor recorded
    pledge.refresh_from_db()
    assert pledge.edited_by is None

    assert client.post(url, _pledge_form(pledge, amount=9_000_000)).status_code == 302
    pledge.refresh_from_db()
    assert pledge.amount == 9_000_000
    assert pledge.created_by == district_staff
    assert pledge.edited_by == second_staff and pledge.edited_at is not None


def test_a_pledge_with_instalments_cannot_move_to_another_fund_in_the_admin(
    client, tree, fund, district_staff, yesterday
):
    from donations.services.pledges import pledge_create
    from tests.factories import DonorFactory

    pledge = pledge_create(
        fund=fund,
        donor=DonorFactory(unit=fund.unit),
        amount=5_000_000,
        pledged_on=yesterday,
        by=district_staff,
    )
    donation_post(
        donation=donation_create(fund=fund, amount=1_000_000, received_on=yesterday, pledge=pledge), by=None
    )
    other_fund = FundFactory(unit=tree["d1"], name="Quỹ Huyện Một, tài khoản 2")
    client.force_login(district_staff)
    response = client.post(
        reverse("admin:donations_pledge_change", args=[pledge.pk]), _pledge_form(pledge, fund=other_fund.pk)
    )
    assert response.status_code == 200
    assert "đã nộp vào quỹ khác" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.fund == fund and pledge.edited_by is None


def test_an_agency_added_to_a_drive_in_the_admin_goes_through_the_drive_services(
    client, fund, district_staff, yesterday
):
    from donations.models import DonorKind, DriveAgency, SalaryDrive
    from donations.services.drives import drive_agency_add
    from tests.factories import DonorFactory

    drive = SalaryDrive.objects.create(fund=fund, year=2026, name="Ủng hộ một ngày lương 2026")
    school = DonorFactory(unit=fund.unit, name="Trường THCS Dân Lý", kind=DonorKind.AGENCY)
    office = DonorFactory(unit=fund.unit, name="Phòng Tài chính - Kế hoạch", kind=DonorKind.AGENCY)
    row = drive_agency_add(drive=drive, agency=school, headcount=40, expected_amount=12_000_000)
    donation_post(
        donation=donation_create(fund=fund, amount=12_000_000, received_on=yesterday, drive_agency=row),
        by=None,
    )
    person = DonorFactory(unit=fund.unit, name="Ông Tư")
    client.force_login(district_staff)
    url = reverse("admin:donations_salarydrive_change", args=[drive.pk])
    base = {
        "fund": fund.pk,
        "year": 2026,
        "name": drive.name,
        "agencies-TOTAL_FORMS": 2,
        "agencies-INITIAL_FORMS": 1,
        "agencies-0-id": row.pk,
        "agencies-0-drive": drive.pk,
        "agencies-0-agency": school.pk,
        "agencies-0-headcount": 40,
        "agencies-0-expected_amount": 12_000_000,
        "agencies-1-drive": drive.pk,
        "agencies-1-headcount": 1,
        "agencies-1-expected_amount": 300_000,
    }

    refused = client.post(url, {**base, "agencies-1-agency": person.pk})
    assert refused.status_code == 200
    assert "không phải là cơ quan" in refused.content.decode()
    replaced = client.post(url, {**base, "agencies-0-agency": office.pk, "agencies-TOTAL_FORMS": 1})
    assert replaced.status_code == 200
    assert list(DriveAgency.objects.values_list("agency", flat=True)) == [school.pk]

    accepted = client.post(url, {**base, "agencies-0-headcount": 41, "agencies-1-agency": office.pk})
    assert accepted.status_code == 302
    assert dict(DriveAgency.objects.values_list("agency", "headcount")) == {school.pk: 41, office.pk: 1}


def test_stock_is_read_only_in_the_admin(client, fund, district_staff, yesterday):
    from donations.models import DonationKind, StockItem

    goods = donation_create(
        fund=fund,
        amount=2_000_000,
        received_on=yesterday,
        kind=DonationKind.GOODS,
        goods_description="Áo ấm",
        goods_unit="chiếc",
        goods_quantity=20,
    )
    donation_post(donation=goods, by=None)
    item = StockItem.objects.get()
    client.force_login(district_staff)
    url = reverse("admin:donations_stockitem_change", args=[item.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"fund": fund.pk, "name": "Áo khoác", "unit_of_measure": "chiếc"})
    item.refresh_from_db()
    assert item.name == "Áo ấm"  # the reversal of the donation finds its goods by this name
    assert client.get(reverse("admin:donations_stockitem_add")).status_code == 403
