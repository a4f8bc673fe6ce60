"""The fund's accounting papers as PDFs: the receipt (biên lai) of a posted donation and the payment
voucher (phiếu chi) of an approved disbursement, in one layout: the fund with its address and tax code,
the form code and book number (settings), the number, the place and date, the amount in figures and in
words (accounting convention), and a signature block for each person who signs."""

from __future__ import annotations

from django.conf import settings

from fund_portal.money_words import amount_in_words
from fund_portal.pdf import person_name, place_name, render_pdf

from .models import (
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationKind,
    DonationStatus,
    Fund,
    RecipientKind,
    RestrictionKind,
)


def _fund_context(fund: Fund) -> dict:
    return {
        "fund": fund,
        "issuer_parent": fund.governing_body,
        "issuer_name": fund.name,
        "place": fund.place or place_name(fund.unit.name),
    }


def donation_receipt_pdf(*, donation: Donation) -> bytes:
    """The receipt of a posted donation; the amount in figures and in words by the accounting convention.

    The donor signs only a payment handed over in person: a bank transfer's payer is not there to sign.
    The collector is the fund's cashier, or whoever posted the donation when the fund names none."""
    if donation.status != DonationStatus.POSTED:
        raise ValueError("Only a posted donation has a receipt.")
    fund = donation.fund
    donor = donation.donor
    donor_name = (donor.name if donor else donation.donor_name) or "Nhà hảo tâm ẩn danh"
    hint = "(Ký, ghi rõ họ tên)"
    signers = [("Người thu tiền", hint, fund.treasurer_name or person_name(donation.posted_by))]
    if donation.kind != DonationKind.TRANSFER:
        payer = "Người nộp tiền" if donation.kind == DonationKind.CASH else "Người giao hiện vật"
        named = (donor.name if donor else donation.donor_name) or ""  # an anonymous giver signs by hand
        signers.insert(0, (payer, hint, named))
    context = {
        **_fund_context(fund),
        "donation": donation,
        "form_code": settings.RECEIPT_FORM_CODE,
        "book_number": settings.RECEIPT_BOOK_NUMBER,
        "doc_number": donation.receipt_number,
        "doc_date": donation.posted_at,
        "title": "Biên lai thu tiền ủng hộ"
        if donation.kind != DonationKind.GOODS
        else "Biên bản tiếp nhận hiện vật",
        "donor_name": donor_name,
        "donor_address": donor.address if donor else "",
        "donor_tax_code": donor.tax_code if donor else "",
        "amount_words": amount_in_words(donation.amount),
        "purpose": _purpose(donation),
        "signers": signers,
        "signer_name": signers[-1][2],
        "is_transfer": donation.kind == DonationKind.TRANSFER,
    }
    return render_pdf(template_name="donations/receipt.html", context=context)


def _purpose(donation: Donation) -> str:
    if donation.restriction == RestrictionKind.CAMPAIGN and donation.restriction_campaign:
        return f"Ủng hộ {donation.restriction_campaign.name}"
    if donation.restriction == RestrictionKind.NEED_AREA:
        return f"Ủng hộ trẻ em: {donation.get_restriction_need_display()}"
    if donation.restriction == RestrictionKind.COMMUNE and donation.restriction_unit:
        return f"Ủng hộ trẻ em {donation.restriction_unit.name}"
    if donation.campaign:
        return f"Ủng hộ {donation.campaign.name}"
    return "Ủng hộ Quỹ Bảo trợ trẻ em"


def disbursement_payee(disbursement: Disbursement) -> str:
    """Who receives the money: the lower-level fund, or the commune's People's Committee; blank (filled
    in by hand) for a purpose that names no one."""
    if disbursement.recipient_kind == RecipientKind.LOWER_FUND and disbursement.recipient_fund:
        return disbursement.recipient_fund.name
    if disbursement.recipient_unit:
        return f"Ủy ban nhân dân {disbursement.recipient_unit.name}"
    return ""


def disbursement_voucher_pdf(*, disbursement: Disbursement) -> bytes:
    """The payment voucher (phiếu chi) of an approved disbursement, laid out as the receipt: the payee, the
    reason, the amount in figures and in words, and the approver's, the maker's and the payee's signatures."""
    if disbursement.status != DisbursementStatus.APPROVED or not disbursement.voucher_number:
        raise ValueError("Only an approved disbursement has a payment voucher.")
    fund = disbursement.fund
    payee = disbursement_payee(disbursement)
    context = {
        **_fund_context(fund),
        "disbursement": disbursement,
        "form_code": settings.VOUCHER_FORM_CODE,
        "book_number": settings.VOUCHER_BOOK_NUMBER,
        "doc_number": disbursement.voucher_number,
        "doc_date": disbursement.spent_on,
        "title": "Phiếu chi",
        "payee": payee,
        "payee_address": disbursement.recipient_unit.name if disbursement.recipient_unit else "",
        "amount_words": amount_in_words(disbursement.amount),
        "signers": [
            ("Người duyệt chi", "(Ký, họ tên)", person_name(disbursement.decided_by) or fund.director_name),
            ("Người lập phiếu", "(Ký, họ tên)", person_name(disbursement.created_by)),
            ("Người nhận tiền", "(Ký, họ tên)", ""),
        ],
    }
    return render_pdf(template_name="donations/voucher.html", context=context)
