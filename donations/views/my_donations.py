"""A donor account's own donations and their receipts."""

from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from children.selectors.support import donor_sponsorships
from fund_portal.pdf import pdf_response

from ..documents import donation_receipt_pdf
from ..models import Donation
from ..selectors.donations import account_donor, account_verified_emails, donor_own_donations


def my_donations(request):
    """A donor's history: what they gave, its status, and the receipts."""
    donations = donor_own_donations(user=request.user).order_by("-received_on", "-id")
    totals = donations.filter(status=Donation.Status.POSTED).aggregate(total=Sum("amount"))

    sponsorships = donor_sponsorships(user=request.user)
    return render(
        request,
        "donations/my_donations.html",
        {
            "donations": donations[:200],
            "total": totals["total"] or 0,
            "sponsorships": sponsorships,
            "has_donor_record": account_donor(user=request.user) is not None,
            "verified_emails": account_verified_emails(user=request.user),
        },
    )


@never_cache
def my_receipt(request, pk):
    donation = get_object_or_404(donor_own_donations(user=request.user), pk=pk)
    if donation.status != donation.Status.POSTED:
        raise Http404(_("This donation has no receipt yet."))
    return pdf_response(donation_receipt_pdf(donation=donation), f"bien-lai-{donation.receipt_number}.pdf")
