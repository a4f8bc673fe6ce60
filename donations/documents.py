"""The receipt (biên lai) of a posted donation, as a PDF in the fund's official layout."""

from __future__ import annotations

from fund_portal.money_words import amount_in_words
from fund_portal.pdf import render_pdf

from .models import Donation, DonationKind, DonationStatus, RestrictionKind


def donation_receipt_pdf(*, donation: Donation) -> bytes:
    """The receipt of a posted donation; the amount in figures and in words by the accounting convention."""
    if donation.status != DonationStatus.POSTED:
        raise ValueError("Only a posted donation has a receipt.")
    fund = donation.fund
    donor = donation.donor
    context = {
        "donation": donation,
        "fund": fund,
        "issuer_parent": fund.governing_body,
        "issuer_name": fund.name,
        "doc_number": donation.receipt_number,
        "place": fund.place,
        "doc_date": donation.posted_at,
        "title": "Biên lai thu tiền ủng hộ"
        if donation.kind != DonationKind.GOODS
        else "Biên bản tiếp nhận hiện vật",
        "donor_name": (donor.name if donor else donation.donor_name) or "Nhà hảo tâm ẩn danh",
        "donor_address": donor.address if donor else "",
        "donor_tax_code": donor.tax_code if donor else "",
        "amount_words": amount_in_words(donation.amount),
        "purpose": _purpose(donation),
        "signer_authority": "",
        "signer_title": "Người thu tiền",
        "signer_name": fund.treasurer_name,
        "director_name": fund.director_name,
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
