"""Pages of the donations app: the public donation with VietQR, and the officers' money pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from fund_portal.authority import Action
from fund_portal.paginators import CappedCountPaginator
from fund_portal.pdf import pdf_response
from fund_portal.ratelimit import rate_limit_hit
from fund_portal.views import portal_action, portal_view, scoped_get_object_or_404

from . import selectors, services
from .forms import OfficerDonationForm, ProposalForm, PublicDonationForm, new_client_token
from .models import Disbursement, Donation, RecipientKind
from .receipts import donation_receipt_pdf
from .vietqr import vietqr_payload, vietqr_svg


@login_not_required
@never_cache
def donate(request):
    fund = selectors.public_fund()
    if fund is None:
        raise Http404(_("The fund does not take donations online yet."))
    if request.method == "POST":
        form = PublicDonationForm(request.POST, fund=fund)
        if not rate_limit_hit(
            request, scope="donate", limit=settings.DONATE_RATE_LIMIT, period=settings.DONATE_RATE_PERIOD
        ):
            form.add_error(None, _("Too many donations from your address. Try again in a few minutes."))
            return render(request, "donations/donate.html", {"form": form, "fund": fund}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            donation = services.donation_public_submit(
                fund=fund,
                client_token=data["client_token"],
                amount=data["amount"],
                donor_name=data["name"].strip(),
                donor_phone=data["phone"].strip(),
                donor_email=data["email"],
                message=data["message"].strip(),
                display_preference=data["display_preference"],
                **{
                    k: data[k]
                    for k in (
                        "campaign",
                        "restriction",
                        "restriction_campaign",
                        "restriction_need",
                        "restriction_unit",
                    )
                    if k in data
                },
            )
            return redirect("donations:status", reference=donation.transfer_reference)
    else:
        initial = {"client_token": new_client_token(), "preset": "500000"}
        if request.GET.get("purpose"):  # from a need of the public needs page: "need:warm_clothes"
            initial["purpose"] = request.GET["purpose"][:40]
        form = PublicDonationForm(initial=initial, fund=fund)
    return render(request, "donations/donate.html", {"form": form, "fund": fund})


@login_not_required
@never_cache
def donation_status(request, reference):
    donation = selectors.donation_by_reference(reference=reference)
    if donation is None:
        raise Http404(_("No donation has this transfer reference."))
    account = selectors.fund_default_account(fund=donation.fund)
    qr_svg = None
    if account and donation.status == donation.Status.PENDING:
        payload = vietqr_payload(
            bank_bin=account.bank_bin,
            account_number=account.account_number,
            amount=donation.amount,
            reference=donation.transfer_reference,
        )
        qr_svg = vietqr_svg(payload, label=_("VietQR code to transfer the donation"))
    return render(
        request, "donations/donate_status.html", {"donation": donation, "account": account, "qr_svg": qr_svg}
    )


@portal_view
def portal_money(request):
    """The money of the officer's unit: donations received and disbursements proposed or made."""
    donations = (
        Donation.objects.visible_to(request.user)
        .select_related("fund", "donor")
        .order_by("-received_on", "-id")
    )
    disbursements = (
        Disbursement.objects.visible_to(request.user).select_related("fund").order_by("-spent_on", "-id")[:20]
    )
    page = CappedCountPaginator(donations, 25).get_page(request.GET.get("page"))
    return render(request, "donations/portal_money.html", {"page": page, "disbursements": disbursements})


@portal_action(Action.DONATION_RECORD)
def portal_donation_new(request):
    form = OfficerDonationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            donation = services.donation_create(
                fund=data["fund"],
                amount=data["amount"],
                received_on=data["received_on"],
                kind=data["kind"],
                by=request.user,
                donor_name=data["donor_name"].strip(),
                campaign=data["campaign"],
                goods_description=data["goods_description"].strip(),
                goods_quantity=data["goods_quantity"],
                goods_unit=data["goods_unit"].strip(),
                message=data["message"].strip(),
            )
            donation = services.donation_post(donation=donation, by=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Recorded with receipt %(number)s.") % {"number": donation.receipt_number}
            )
            return redirect("money:list")
    return render(request, "donations/portal_donation_form.html", {"form": form})


@portal_action(Action.DISBURSEMENT_PROPOSE)
def portal_proposal_new(request):
    form = ProposalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.disbursement_propose(
                by=request.user,
                fund=data["fund"],
                amount=data["amount"],
                purpose=data["purpose"].strip(),
                need_area=data["need_area"],
                spent_on=data["spent_on"],
                recipient_unit=request.user.unit,
                recipient_kind=RecipientKind.CHILDREN,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The proposal is sent to the fund's staff for approval."))
            return redirect("money:list")
    return render(request, "donations/portal_proposal_form.html", {"form": form})


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form: on its field when the form has it, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_not_required
def donation_receipt(request, reference):
    """The receipt PDF of a posted donation, for whoever holds its transfer reference."""
    donation = selectors.donation_by_reference(reference=reference)
    if donation is None or donation.status != donation.Status.POSTED:
        raise Http404(_("This donation has no receipt yet."))
    return pdf_response(donation_receipt_pdf(donation=donation), f"bien-lai-{donation.receipt_number}.pdf")


@portal_view
def portal_receipt(request, pk):
    donation = scoped_get_object_or_404(Donation.objects.select_related("fund", "donor"), request.user, pk=pk)
    if donation.status != donation.Status.POSTED:
        raise Http404(_("This donation has no receipt yet."))
    return pdf_response(donation_receipt_pdf(donation=donation), f"bien-lai-{donation.receipt_number}.pdf")


def my_donations(request):
    """A donor's history: what they gave, its status, and the receipts."""
    donations = selectors.donor_own_donations(user=request.user).order_by("-received_on", "-id")
    totals = donations.filter(status=Donation.Status.POSTED).aggregate(total=Sum("amount"))
    from children.selectors.support import donor_sponsorships

    sponsorships = donor_sponsorships(user=request.user)
    return render(
        request,
        "donations/my_donations.html",
        {"donations": donations[:200], "total": totals["total"] or 0, "sponsorships": sponsorships},
    )


def my_receipt(request, pk):
    donation = get_object_or_404(selectors.donor_own_donations(user=request.user), pk=pk)
    if donation.status != donation.Status.POSTED:
        raise Http404(_("This donation has no receipt yet."))
    return pdf_response(donation_receipt_pdf(donation=donation), f"bien-lai-{donation.receipt_number}.pdf")
