"""The commune officers' campaign pages (/portal/campaigns/): the campaigns their commune takes part in
with their progress, the gift lists of their commune, the signing sheets, and the handover of their
commune's children. Scope is applied by the selectors and the services; views stay thin."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fund_portal.authority import Action
from fund_portal.exports import xlsx_download
from fund_portal.forms import form_service_errors
from fund_portal.pdf import pdf_response
from fund_portal.views import portal_action, portal_view

from . import documents, selectors
from .forms import HandoverForm
from .models import GiftList
from .services.gift_lists import gift_list_handover


def _gift_list(request, pk) -> GiftList:
    gift_list = selectors.gift_lists_for(user=request.user).filter(pk=pk).first()
    if gift_list is None:
        raise Http404
    return gift_list


@portal_view
@require_GET
def campaign_list(request):
    campaigns = list(selectors.campaigns_participated(user=request.user)[:50])
    rows = [{"campaign": c, "progress": selectors.campaign_progress(campaign=c)} for c in campaigns]
    return render(request, "campaigns/campaign_list.html", {"rows": rows})


@portal_view
@require_GET
def campaign_manage(request, slug):
    """The portal's page of a campaign for its officers: progress, events, gift lists (the public site's
    page of a campaign is another view)."""
    campaign = selectors.campaign_for_user(user=request.user, slug=slug)
    if campaign is None:
        raise Http404
    return render(
        request,
        "campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": selectors.campaign_progress(campaign=campaign),
            "history": selectors.campaign_year_over_year(campaign=campaign),
            "events": campaign.events.all(),
            "gift_lists": selectors.gift_lists_for(user=request.user, campaign=campaign),
        },
    )


def _pending_entries(request, gift_list):
    return selectors.gift_list_entries(gift_list=gift_list, user=request.user).filter(
        support__isnull=True, absent=False
    )


def handover_form(request, gift_list) -> tuple[HandoverForm, bool]:
    """The handover of a gift list, one body for the portal's page and the admin's: on a valid POST it
    records the handover (a support for each child present) and says so. Returns the form and whether
    the handover was recorded; the caller has checked who may record it."""
    form = HandoverForm(request.POST or None, entries=_pending_entries(request, gift_list))
    if request.method == "POST" and form.is_valid():
        try:
            supports = gift_list_handover(
                gift_list=gift_list,
                by=request.user,
                delivered_on=form.cleaned_data["delivered_on"],
                handed_over_by=form.cleaned_data["handed_over_by"],
                absent_child_ids=[entry.child_id for entry in form.cleaned_data["absent"]],
            )
        except ValidationError as error:
            form_service_errors(form, error)
        else:
            messages.success(request, _("%(count)s supports recorded.") % {"count": len(supports)})
            return form, True
    return form, False


@portal_action(Action.GIFT_HANDOVER, post_only=True)
def gift_list_detail(request, pk):
    gift_list = _gift_list(request, pk)
    if request.method == "POST" and (request.POST.get("confirmed") != "1" or "edit" in request.POST):
        # A handover cannot be undone: a valid form is shown back once, to be confirmed.
        entries = _pending_entries(request, gift_list)
        form = HandoverForm(request.POST, entries=entries)
        if form.is_valid() and "edit" not in request.POST:
            absent = list(form.cleaned_data["absent"].select_related("child"))
            context = {"gift_list": gift_list, "form": form, "absent": absent}
            context["present"] = entries.count() - len(absent)
            return render(request, "campaigns/handover_confirm.html", context)
        groups = selectors.gift_list_by_commune(gift_list=gift_list, user=request.user)
        context = {"gift_list": gift_list, "groups": groups, "form": form, "pending": True}
        return render(request, "campaigns/gift_list_detail.html", context)
    groups = selectors.gift_list_by_commune(gift_list=gift_list, user=request.user)
    form, recorded = handover_form(request, gift_list)
    if recorded:
        return redirect("campaigns_portal:gift_list", pk=gift_list.pk)
    return render(
        request,
        "campaigns/gift_list_detail.html",
        {
            "gift_list": gift_list,
            "groups": groups,
            "form": form,
            "pending": any(group["pending"] for group in groups),
        },
    )


@portal_view
@require_GET
def gift_list_sheet(request, pk, commune_id):
    gift_list = _gift_list(request, pk)
    if not any(
        g["commune"].pk == commune_id
        for g in selectors.gift_list_by_commune(gift_list=gift_list, user=request.user)
    ):
        raise Http404
    pdf, filename = documents.gift_list_signing_sheet(
        gift_list=gift_list, user=request.user, commune_id=commune_id
    )
    return pdf_response(pdf, filename)


@portal_view
@require_GET
def gift_list_xlsx(request, pk):
    data, filename = documents.gift_list_xlsx(gift_list=_gift_list(request, pk), user=request.user)
    return xlsx_download(data, filename)
