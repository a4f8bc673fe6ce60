"""The officers' money pages in the portal: donations received, a donation recorded, support proposed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from fund_portal.authority import Action
from fund_portal.forms import form_service_errors
from fund_portal.paginators import CappedCountPaginator
from fund_portal.pdf import pdf_response
from fund_portal.views import portal_action, portal_view, scoped_get_object_or_404

from ..documents import donation_receipt_pdf
from ..forms import OfficerDonationForm, ProposalForm
from ..models import Disbursement, Donation, RecipientKind
from ..services.disbursements import disbursement_propose
from ..services.donations import donation_check, donation_create, donation_post


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
    """Record money or goods received and post it: a valid form is shown back once to be confirmed,
    because a posted entry takes a receipt number and is corrected only by a reversal."""
    form = OfficerDonationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            donation_check(
                fund=data["fund"], amount=data["amount"], received_on=data["received_on"], fields={}
            )
        except ValidationError as error:
            form_service_errors(form, error)
        else:
            if "edit" in request.POST:  # back from the confirmation, with what was typed
                return render(request, "donations/portal_donation_form.html", {"form": form})
            if request.POST.get("confirmed") != "1":
                context = {"form": form, "public_name": _public_name(data)}
                return render(request, "donations/portal_donation_confirm.html", context)
            donation = _donation_post(request, form)
            if donation is not None:
                messages.success(
                    request, _("Recorded with receipt %(number)s.") % {"number": donation.receipt_number}
                )
                return redirect("money:list")
    return render(request, "donations/portal_donation_form.html", {"form": form})


def _donation_post(request, form) -> Donation | None:
    data = form.cleaned_data
    try:
        donation = donation_create(
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
            display_preference=data["display_preference"],
        )
        return donation_post(donation=donation, by=request.user)
    except ValidationError as error:
        form_service_errors(form, error)
        return None


def _public_name(data: dict) -> str:
    """How the donation will read on the public list, as the preference chosen makes it."""
    return Donation(
        donor_name=data["donor_name"].strip(), display_preference=data["display_preference"]
    ).public_name


@portal_action(Action.DISBURSEMENT_PROPOSE)
def portal_proposal_new(request):
    form = ProposalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disbursement_propose(
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
            form_service_errors(form, error)
        else:
            messages.success(request, _("The proposal is sent to the fund's staff for approval."))
            return redirect("money:list")
    return render(request, "donations/portal_proposal_form.html", {"form": form})


@portal_view
def portal_receipt(request, pk):
    donation = scoped_get_object_or_404(Donation.objects.select_related("fund", "donor"), request.user, pk=pk)
    if donation.status != donation.Status.POSTED:
        raise Http404(_("This donation has no receipt yet."))
    return pdf_response(donation_receipt_pdf(donation=donation), f"bien-lai-{donation.receipt_number}.pdf")
