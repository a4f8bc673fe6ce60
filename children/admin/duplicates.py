"""The admin's list of likely duplicate children and the merge of two records. Mixed into `ChildAdmin`."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _

from fund_portal.admin import admin_page
from fund_portal.authority import Action, action_required

from ..duplicates import REASONS as DUPLICATE_REASONS
from ..models import Child, DuplicateAlert
from ..selectors.duplicates import duplicate_alerts_open, likely_duplicates
from ..services.duplicates import child_merge, duplicate_alert_check, duplicate_dismiss

MERGE_INTO_LEFT = "merge_left"
MERGE_INTO_RIGHT = "merge_right"
DISMISS = "dismiss"


class AlertCheckedForm(forms.Form):
    """Staff checked a registration that matched a record outside the officer's unit."""

    alert = forms.IntegerField(min_value=1)


class DuplicateDecisionForm(forms.Form):
    """What staff decided about one listed pair."""

    action = forms.ChoiceField(choices=[(MERGE_INTO_LEFT, ""), (MERGE_INTO_RIGHT, ""), (DISMISS, "")])
    left = forms.IntegerField(min_value=1)
    right = forms.IntegerField(min_value=1)
    #: A merge cannot be undone: it is done only once staff confirmed it on the page that says so.
    confirmed = forms.BooleanField(required=False)


def mask_personal_id(value: str | None) -> str:
    """Only the last 4 digits of a personal identification number: enough to compare two records."""
    if not value:
        return ""
    return "•" * (len(value) - 4) + value[-4:]


class ChildDuplicatesAdminMixin:
    duplicates_limit = 100

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("duplicates/", view(self.duplicates_view), name="children_child_duplicates"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        """The list links to the duplicates page for whoever may open it (the changelist's own context
        holds no change permission)."""
        extra_context = {**(extra_context or {}), "may_see_duplicates": self.has_change_permission(request)}
        return super().changelist_view(request, extra_context)

    @action_required(Action.CHILD_MERGE, post_only=True)
    def duplicates_view(self, request):
        """Likely duplicates side by side: merge into the left or the right record, or mark them as two
        children."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._duplicates_decide(request)
        pairs = likely_duplicates(user=request.user, limit=self.duplicates_limit)
        for pair in pairs:
            for child in (pair.left, pair.right):
                child.personal_id_masked = mask_personal_id(child.personal_id)
        alerts = duplicate_alerts_open(user=request.user, limit=self.duplicates_limit)
        for alert in alerts:
            alert.personal_id_masked = mask_personal_id(alert.personal_id)
            alert.existing.personal_id_masked = mask_personal_id(alert.existing.personal_id)
            alert.reason_label = DUPLICATE_REASONS.get(alert.reason, alert.reason)
        context = {
            "pairs": pairs,
            "alerts": alerts,
            "limit": self.duplicates_limit,
            "title": _("Likely duplicate children"),
            "actions": {"left": MERGE_INTO_LEFT, "right": MERGE_INTO_RIGHT, "dismiss": DISMISS},
        }
        return admin_page(self, request, "admin/children/child/duplicates.html", context)

    def _alert_checked(self, request):
        form = AlertCheckedForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest()
        alert = get_object_or_404(
            DuplicateAlert.objects.visible_to(request.user), pk=form.cleaned_data["alert"]
        )
        duplicate_alert_check(alert=alert, by=request.user)
        messages.success(request, _("The alert is marked as checked."))
        return redirect("admin:children_child_duplicates")

    def _merge_confirm(self, request, *, keep, remove, action):
        """The page that asks once more before a merge, which cannot be undone."""
        for child in (keep, remove):
            child.personal_id_masked = mask_personal_id(child.personal_id)
        context = {
            "title": _("Merge two records of a child?"),
            "keep": keep,
            "remove": remove,
            "hidden": [
                ("left", request.POST.get("left")),
                ("right", request.POST.get("right")),
                ("action", action),
                ("confirmed", "on"),
            ],
        }
        return admin_page(self, request, "admin/children/child/merge_confirm.html", context)

    def _duplicates_decide(self, request):
        if "alert" in request.POST:
            return self._alert_checked(request)
        form = DuplicateDecisionForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest()
        visible = Child.objects.visible_to(request.user)
        left = get_object_or_404(visible, pk=form.cleaned_data["left"])
        right = get_object_or_404(visible, pk=form.cleaned_data["right"])
        action = form.cleaned_data["action"]
        try:
            if action == DISMISS:
                duplicate_dismiss(child_a=left, child_b=right, by=request.user)
                messages.success(
                    request,
                    _("%(a)s and %(b)s are marked as two different children.") % {"a": left, "b": right},
                )
            else:
                keep, remove = (left, right) if action == MERGE_INTO_LEFT else (right, left)
                if not form.cleaned_data["confirmed"]:
                    return self._merge_confirm(request, keep=keep, remove=remove, action=action)
                child_merge(keep=keep, remove=remove, by=request.user)
                messages.success(
                    request,
                    _("The record of %(removed)s is merged into %(kept)s with all its support and history.")
                    % {"removed": remove, "kept": keep},
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("admin:children_child_duplicates")
