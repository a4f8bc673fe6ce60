"""The public donation with VietQR: the form, the donation's status page (and what it polls, and its QR code
as a PNG), its receipt."""

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from fund_portal.pdf import pdf_response
from fund_portal.ratelimit import rate_limit_hit

from ..documents import donation_receipt_pdf
from ..forms import PublicDonationForm, new_client_token
from ..models import DonationStatus
from ..selectors.donations import (
    account_donor,
    account_verified_emails,
    donation_by_reference,
    donation_status_by_reference,
)
from ..selectors.funds import fund_default_account
from ..selectors.public_funds import public_fund_scope, request_fund
from ..services.donations import donation_public_submit
from ..vietqr import is_transfer_reference, vietqr_payload, vietqr_png, vietqr_svg


@login_not_required
@never_cache
def donate(request):
    fund = request_fund(request)  # the fund of /quy/<code>/donate/, of the host, else the default fund
    if fund is None or fund_default_account(fund=fund) is None:
        raise Http404(_("The fund does not take donations online yet."))
    if request.method == "POST":
        form = PublicDonationForm(request.POST, fund=fund, unit_path=public_fund_scope(fund))
        if not rate_limit_hit(
            request, scope="donate", limit=settings.DONATE_RATE_LIMIT, period=settings.DONATE_RATE_PERIOD
        ):
            form.add_error(None, _("Too many donations from your address. Try again in a few minutes."))
            return render(request, "donations/donate.html", {"form": form, "fund": fund}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            donation = donation_public_submit(
                fund=fund,
                client_token=data["client_token"],
                amount=data["amount"],
                donor_name=data["name"].strip(),
                donor_phone=data["phone"].strip(),
                donor_email=data["email"],
                account=request.user,
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
        initial = {"client_token": new_client_token(), "preset": "500000", **_account_initial(request.user)}
        if request.GET.get("purpose"):  # from a need of the public needs page: "need:warm_clothes"
            initial["purpose"] = request.GET["purpose"][:40]
        form = PublicDonationForm(initial=initial, fund=fund, unit_path=public_fund_scope(fund))
    return render(request, "donations/donate.html", {"form": form, "fund": fund})


def _account_initial(user) -> dict:
    """What the form knows of a logged-in donor: the name, phone and display choice of the account's
    donor record, else the account's own name; its verified email, else the one it signed up with."""
    if not user.is_authenticated:
        return {}
    donor = account_donor(user=user)
    emails = account_verified_emails(user=user)
    initial = {
        "name": donor.name if donor else f"{user.last_name} {user.first_name}".strip(),
        "email": emails[0] if emails else user.email,
    }
    if donor is not None:
        initial.update(phone=donor.phone, display_preference=donor.display_preference)
    return initial


def _transfer(reference: str):
    """A donation awaiting its transfer, the account to pay it to and the VietQR payload; 404 otherwise."""
    donation = donation_by_reference(reference=reference)
    if donation is None:
        raise Http404(_("No donation has this transfer reference."))
    account = fund_default_account(fund=donation.fund)
    payload = None
    if account and donation.status == donation.Status.PENDING:
        payload = vietqr_payload(
            bank_bin=account.bank_bin,
            account_number=account.account_number,
            amount=donation.amount,
            reference=donation.transfer_reference,
        )
    return donation, account, payload


def not_indexed(view):
    """A page for whoever holds a donation's unguessable reference, never for a search engine (it names
    the donation and, once posted, links its receipt): `X-Robots-Tag: noindex`."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


@login_not_required
@never_cache
@not_indexed
def donation_status(request, reference):
    donation, account, payload = _transfer(reference)
    qr_svg = vietqr_svg(payload, label=_("VietQR code to transfer the donation")) if payload else None
    return render(
        request, "donations/donate_status.html", {"donation": donation, "account": account, "qr_svg": qr_svg}
    )


@login_not_required
@never_cache
@not_indexed
@require_safe
def donation_qr_png(request, reference):
    """The VietQR code of a donation awaiting its transfer as a PNG, to save on a phone and open in a
    banking app (an inline SVG cannot be saved); 404 once the donation is no longer awaited."""
    donation, _account, payload = _transfer(reference)
    if payload is None:
        raise Http404(_("This donation awaits no transfer."))
    response = HttpResponse(vietqr_png(payload), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="vietqr-{donation.transfer_reference}.png"'
    return response


@login_not_required
@never_cache
@not_indexed
@require_safe
def donation_status_json(request, reference):
    """What the status page polls: the status and, once posted, the receipt; nothing of the donor.

    Cheap on purpose, as every open status page asks every few seconds: no session is read for an
    anonymous donor, a malformed reference costs no query and a well-formed one a single lookup on
    the reference's unique index. `never_cache` sends `no-store`: no cache may keep an old status.
    """
    reference = reference.strip().upper()
    if not is_transfer_reference(reference):
        return _json({"error": _("This is not a transfer reference: check the address.")}, status=404)
    found = donation_status_by_reference(reference=reference)
    if found is None:
        return _json({"error": _("No donation has this transfer reference.")}, status=404)
    status, number = found
    answer = {
        "status": status,
        "status_label": str(DonationStatus(status).label),
        "receipt_number": None,
        "receipt_url": None,
        "message": None,
    }
    if status == DonationStatus.POSTED:
        answer["receipt_number"] = number
        answer["receipt_url"] = reverse("donations:receipt", kwargs={"reference": reference})
        answer["message"] = _("Thank you. Your donation is posted with receipt %(number)s.") % {
            "number": number
        }
    return _json(answer)


def _json(data: dict, *, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@login_not_required
@never_cache
@not_indexed
def donation_receipt(request, reference):
    """The receipt PDF of a posted donation, for whoever holds its transfer reference: it names the
    donor, so no cache keeps it and no search engine lists it."""
    donation = donation_by_reference(reference=reference)
    if donation is None or donation.status != donation.Status.POSTED:
        raise Http404(_("This donation has no receipt yet."))
    return pdf_response(donation_receipt_pdf(donation=donation), f"bien-lai-{donation.receipt_number}.pdf")
