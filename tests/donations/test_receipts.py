"""The receipt PDF: real file, read back, with the amount in words and the Vietnamese letters intact."""

import io
import unicodedata

import pytest
from django.urls import reverse
from pypdf import PdfReader

from donations.documents import donation_receipt_pdf
from donations.models import BankAccount, DonationKind
from donations.services.donations import donation_create, donation_post
from tests.factories import DonorFactory, officer

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def posted(fund, yesterday):
    fund.governing_body, fund.place, fund.treasurer_name = "UBND huyện Một", "Huyện Một", "Đặng Thị Thu"
    fund.save()
    donor = DonorFactory(unit=fund.unit, name="Công ty TNHH Ánh Dương", tax_code="2801234567")
    return donation_post(
        donation=donation_create(fund=fund, amount=2_021_000, received_on=yesterday, donor=donor), by=None
    )


def test_the_receipt_has_number_donor_amount_in_figures_and_words(posted):
    data = donation_receipt_pdf(donation=posted)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (
        posted.receipt_number,
        "Công ty TNHH Ánh Dương",
        "2.021.000 ₫",
        "Hai triệu không trăm hai mươi mốt nghìn đồng",
        "UBND HUYỆN MỘT",
        "Mẫu số: C45-BB",
        "Huyện Một, ngày",
        "Đặng Thị Thu",
    ):
        assert expected in text.replace("\n", " ") or expected.upper() in text.upper(), expected


def test_a_goods_receipt_names_the_goods(fund, yesterday):
    donation = donation_post(
        donation=donation_create(
            fund=fund,
            amount=6_000_000,
            received_on=yesterday,
            kind=DonationKind.GOODS,
            goods_description="Áo ấm trẻ em",
            goods_quantity=40,
            goods_unit="chiếc",
        ),
        by=None,
    )
    text = pdf_text(donation_receipt_pdf(donation=donation))
    assert "Áo ấm trẻ em" in text and "40 chiếc" in text and "Sáu triệu đồng" in text


def test_the_public_receipt_link_works_only_once_posted(client, fund, yesterday):
    BankAccount.objects.create(
        fund=fund,
        bank_name="Agribank",
        bank_bin="970405",
        account_number="1",
        account_name="Q",
        is_default=True,
    )
    donation = donation_create(
        fund=fund, amount=300_000, received_on=yesterday, kind="transfer", with_transfer_reference=True
    )
    url = reverse("donations:receipt", kwargs={"reference": donation.transfer_reference})
    assert client.get(url).status_code == 404
    donation_post(donation=donation, by=None)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "Ba trăm nghìn đồng" in pdf_text(response.content)


def test_an_officer_gets_receipts_of_their_commune_only(client, tree, fund, posted):
    from tests.factories import FundFactory

    fund_a = FundFactory(unit=tree["a"], parent=fund)
    own = donation_post(
        donation=donation_create(fund=fund_a, amount=100_000, received_on=posted.received_on), by=None
    )
    client.force_login(officer(tree["a"]))
    assert client.get(reverse("money:receipt", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("money:receipt", kwargs={"pk": posted.pk})).status_code == 404
