"""The pages of a child's transfer to another commune: the request from the child's page, the list of
transfers coming in and going out, a request's card (what the receiving commune may read before it
decides: name, year of birth, where from, why) and the decisions, each confirmed before it is done."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from fund_portal.authority import Action
from fund_portal.forms import form_service_errors
from fund_portal.views import portal_action, portal_view, scoped_get_object_or_404

from ..forms.transfers import TransferAcceptForm, TransferCancelForm, TransferRefuseForm, TransferRequestForm
from ..models import Child, ChildTransfer, TransferStatus
from ..selectors import transfers as selectors
from ..services import transfers as services
from .registry import _child


def _transfer(request, pk) -> ChildTransfer:
    return scoped_get_object_or_404(
        ChildTransfer.objects.select_related("child", "from_commune", "to_commune", "to_village"),
        request.user,
        pk=pk,
    )


@portal_action(Action.CHILD_TRANSFER)
def transfer_new(request, pk):
    child = _child(request, pk)
    form = TransferRequestForm(request.POST or None, communes=selectors.transfer_commune_choices(child=child))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.child_transfer_request(
                child=child, to_commune=data.get("to_commune"), reason=data["reason"], by=request.user
            )
        except ValidationError as error:
            form_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The request is sent to %(unit)s. %(name)s stays in your list until %(unit)s accepts.")
                % {"unit": transfer.to_commune, "name": child.full_name},
            )
            if selectors.transfer_duplicates(child=child, to_commune=transfer.to_commune, user=request.user):
                messages.warning(
                    request,
                    _(
                        "A child with similar details is already registered in the receiving province: "
                        "%(unit)s will check it before accepting."
                    )
                    % {"unit": transfer.to_commune},
                )
            return redirect(child)
    return render(
        request,
        "children/transfer_form.html",
        {"form": form, "child": child, "title": _("Move to another commune")},
    )


@portal_view
def transfer_list(request):
    return render(
        request,
        "children/transfer_list.html",
        {
            "incoming": selectors.transfers_incoming(user=request.user),
            "outgoing": selectors.transfers_outgoing(user=request.user),
            "decided": selectors.transfers_decided(user=request.user),
        },
    )


@portal_view
def transfer_detail(request, pk):
    transfer = _transfer(request, pk)
    is_open = transfer.status == TransferStatus.REQUESTED
    receiver = selectors.transfer_addressed_to(transfer=transfer, user=request.user)
    context = {
        "transfer": transfer,
        "receiver": receiver,
        "sender": selectors.transfer_sent_by(transfer=transfer, user=request.user),
        "child_visible": Child.objects.visible_to(request.user).filter(pk=transfer.child_id).exists(),
        "is_open": is_open,
    }
    if is_open and receiver:
        context["duplicates"] = selectors.transfer_duplicates(
            child=transfer.child, to_commune=transfer.to_commune, user=request.user
        )
        context["accept_form"] = TransferAcceptForm(commune=transfer.to_commune)
        context["refuse_form"] = TransferRefuseForm()
    elif is_open and context["sender"]:
        context["cancel_form"] = TransferCancelForm()
    return render(request, "children/transfer_detail.html", context)


@dataclass(frozen=True)
class Decision:
    """A decision on a transfer: its form (given the transfer), its service, and what the pages say."""

    form: Callable
    service: Callable
    question: str
    explanation: str
    yes: str
    done: str


ACCEPT = Decision(
    form=lambda data, transfer: TransferAcceptForm(data, commune=transfer.to_commune),
    service=services.child_transfer_accept,
    question=gettext_lazy("Accept the child into your commune?"),
    explanation=gettext_lazy(
        "The child's record moves to your commune with its needs, reviews and history; the sending "
        "commune will no longer see it. This cannot be undone (a move back is a new transfer)."
    ),
    yes=gettext_lazy("Yes, accept the child"),
    done=gettext_lazy("The transfer is accepted: the child is now in your commune's list."),
)
REFUSE = Decision(
    form=lambda data, transfer: TransferRefuseForm(data),
    service=services.child_transfer_refuse,
    question=gettext_lazy("Refuse the transfer?"),
    explanation=gettext_lazy("The child's record stays with the sending commune, which is told why."),
    yes=gettext_lazy("Yes, refuse the transfer"),
    done=gettext_lazy("The transfer is refused."),
)
CANCEL = Decision(
    form=lambda data, transfer: TransferCancelForm(data),
    service=services.child_transfer_cancel,
    question=gettext_lazy("Cancel the transfer request?"),
    explanation=gettext_lazy("The child stays in your commune; a new request can be sent later."),
    yes=gettext_lazy("Yes, cancel the request"),
    done=gettext_lazy("The transfer request is cancelled."),
)


def _decision(request, pk, decision: Decision):
    """A decision on a transfer: a first POST shows what it does and asks again (it cannot be undone);
    the second, with `confirmed`, calls its service."""
    transfer = _transfer(request, pk)
    form = decision.form(request.POST, transfer)
    back = reverse("children:transfer_detail", kwargs={"pk": transfer.pk})
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    if request.POST.get("confirmed") != "1":
        context = {"transfer": transfer, "form": form, "decision": decision, "back": back}
        return render(request, "children/transfer_confirm.html", context)
    try:
        decision.service(transfer=transfer, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(request, str(decision.done))
    return redirect(back)


@portal_action(Action.CHILD_TRANSFER)
@require_POST
def transfer_accept(request, pk):
    return _decision(request, pk, ACCEPT)


@portal_action(Action.CHILD_TRANSFER)
@require_POST
def transfer_refuse(request, pk):
    return _decision(request, pk, REFUSE)


@portal_action(Action.CHILD_TRANSFER)
@require_POST
def transfer_cancel(request, pk):
    return _decision(request, pk, CANCEL)
