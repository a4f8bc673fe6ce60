"""Admin of disbursements: proposed, edited, approved or rejected through the services (maker-checker)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fund_portal.admin import ScopedAdminMixin, ServiceErrorsAdminMixin, money_display
from fund_portal.authority import Action, reads
from fund_portal.pdf import pdf_response

from ..documents import disbursement_voucher_pdf
from ..models import Disbursement, DisbursementStatus
from ..services.disbursements import (
    DISBURSEMENT_UPDATABLE_FIELDS,
    disbursement_approve,
    disbursement_check,
    disbursement_propose,
    disbursement_reject,
    disbursement_update,
    disbursement_update_check,
)
from .actions import each_selected


class DisbursementAdminForm(forms.ModelForm):
    """The services' rules for a new or changed disbursement, shown on the form's fields."""

    class Meta:
        model = Disbursement
        fields = [f.name for f in Disbursement._meta.concrete_fields if f.editable and not f.auto_created]

    def _post_clean(self):
        super()._post_clean()
        if self.errors or not self.instance.fund_id:
            return
        try:
            if self.instance.pk is None:
                disbursement_check(disbursement=self.instance)
            else:
                disbursement_update_check(disbursement=self.instance)
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(Disbursement)
class DisbursementAdmin(ServiceErrorsAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = DisbursementAdminForm
    list_display = [
        "spent_on",
        "purpose",
        "amount_display",
        "fund",
        "recipient_kind",
        "status",
        "created_by",
        "decided_by",
        "voucher_number",
    ]
    list_filter = ["status", "recipient_kind", "medium", "fund"]
    search_fields = ["purpose", "voucher_number"]
    raw_id_fields = ["recipient_unit", "restriction_unit", "stock_item"]
    actions = ["approve_selected", "reject_selected"]
    readonly_fields = [
        "status",
        "created_by",
        "edited_by",
        "edited_at",
        "edits_display",
        "decided_by",
        "decided_at",
        "decision_note",
        "voucher_number",
        "voucher_link",
    ]

    amount_display = money_display("amount", _("amount"))

    @admin.display(description=_("edits"))
    def edits_display(self, obj):
        """Everyone who changed the proposal after it was entered: none of them may decide on it."""
        if obj is None or obj.pk is None:
            return "—"
        edits = obj.edits.select_related("by")
        if not edits:
            return "—"
        return format_html_join(
            format_html("<br>"),
            "{} · {} · {}",
            ((timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M"), e.by, ", ".join(e.fields)) for e in edits),
        )

    @admin.display(description=_("payment voucher (PDF)"))
    def voucher_link(self, obj):
        if obj is None or obj.status != DisbursementStatus.APPROVED or not obj.voucher_number:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:donations_disbursement_voucher", args=[obj.pk]),
            _("Download payment voucher %(number)s") % {"number": obj.voucher_number},
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != DisbursementStatus.PROPOSED:
            return [*(f.name for f in obj._meta.fields), "edits_display", "voucher_link"]
        return self.readonly_fields

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/voucher.pdf", view(self.voucher_view), name="donations_disbursement_voucher"),
            *super().get_urls(),
        ]

    @reads
    def voucher_view(self, request, pk):
        """The payment voucher (phiếu chi) of an approved disbursement the user may see, as a PDF."""
        disbursement = get_object_or_404(
            Disbursement.objects.visible_to(request.user).select_related(
                "fund__unit", "recipient_unit", "recipient_fund", "created_by", "decided_by", "stock_item"
            ),
            pk=pk,
        )
        if disbursement.status != DisbursementStatus.APPROVED or not disbursement.voucher_number:
            raise Http404(_("Only an approved disbursement has a payment voucher."))
        pdf = disbursement_voucher_pdf(disbursement=disbursement)
        return pdf_response(pdf, f"phieu-chi-{disbursement.voucher_number}.pdf")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            disbursement_update(
                disbursement=obj,
                by=request.user,
                **{
                    name: form.cleaned_data[name]
                    for name in DISBURSEMENT_UPDATABLE_FIELDS
                    if name in form.cleaned_data
                },
            )
            return
        created = disbursement_propose(by=request.user, **form.cleaned_data)
        obj.pk = created.pk

    @admin.action(
        permissions=[Action.DISBURSEMENT_DECIDE],
        description=_("Approve and pay out the selected disbursements"),
    )
    def approve_selected(self, request, queryset):
        each_selected(
            request,
            queryset.filter(status=DisbursementStatus.PROPOSED),
            lambda item: disbursement_approve(disbursement=item, by=request.user),
            lambda n: ngettext("%(n)d disbursement approved.", "%(n)d disbursements approved.", n),
        )

    @admin.action(
        permissions=[Action.DISBURSEMENT_DECIDE], description=_("Reject the selected disbursements")
    )
    def reject_selected(self, request, queryset):
        note = str(_("Rejected in the admin list"))
        each_selected(
            request,
            queryset.filter(status=DisbursementStatus.PROPOSED),
            lambda item: disbursement_reject(disbursement=item, by=request.user, note=note),
            lambda n: ngettext("%(n)d disbursement rejected.", "%(n)d disbursements rejected.", n),
        )
