"""Admin of bank statements: their import, and each line matched, posted as new or set aside."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fund_portal.admin import ScopedAdminMixin, admin_page, money_display
from fund_portal.authority import Action, action_required
from fund_portal.money import format_vnd

from ..imports.statements import layout_unknown
from ..models import BankAccount, BankStatement, BankStatementLine, Donation, DonationStatus
from ..services.statements import (
    line_check_waiting,
    line_ignore,
    line_post_as_new,
    line_post_received,
    line_post_to,
    statement_import,
)
from .actions import each_selected
from .statement_mapping import StatementMappingAdminMixin, statement_imported_message


class StatementImportForm(forms.Form):
    bank_account = forms.ModelChoiceField(label=_("Bank account"), queryset=BankAccount.objects.none())
    file = forms.FileField(
        label=_("Statement (CSV, XLSX or XLS)"),
        help_text=_(
            "The statement as the bank exports it (Vietcombank, BIDV, VietinBank, Agribank, Techcombank, "
            "MB, ACB, Sacombank, VPBank, TPBank), or a table with the columns Ngày giao dịch, Số tiền, "
            "Nội dung, Mã giao dịch."
        ),
    )


@admin.register(BankStatement)
class BankStatementAdmin(StatementMappingAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "imported_at",
        "file_name",
        "bank_account",
        "new_lines",
        "matched_lines",
        "known_lines",
        "imported_by",
    ]
    list_select_related = ["bank_account", "imported_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @action_required(Action.STATEMENT_RECONCILE)
    def add_view(self, request, form_url="", extra_context=None):
        """Importing a statement replaces the add form: upload, match, post, report."""
        form = StatementImportForm(request.POST or None, request.FILES or None)
        form.fields["bank_account"].queryset = BankAccount.objects.visible_to(request.user)
        if request.method == "POST" and form.is_valid():
            try:
                statement = statement_import(
                    bank_account=form.cleaned_data["bank_account"],
                    uploaded=form.cleaned_data["file"],
                    by=request.user,
                    name=form.cleaned_data["file"].name,
                )
            except ValidationError as error:
                if layout_unknown(error):  # staff say once how to read it, without uploading it again
                    return self.keep_for_mapping(
                        request,
                        uploaded=form.cleaned_data["file"],
                        bank_account=form.cleaned_data["bank_account"],
                    )
                for message in error.messages:
                    form.add_error("file", message)
            else:
                statement_imported_message(request, statement)
                return redirect("admin:donations_bankstatementline_changelist")
        context = {
            "form": form,
            "title": _("Import a bank statement"),
        }
        return admin_page(self, request, "admin/donations/statement_import.html", context)


class LineMatchForm(forms.ModelForm):
    match_with = forms.ModelChoiceField(
        label=_("Match with pending donation"), queryset=Donation.objects.none(), required=False
    )

    class Meta:
        model = BankStatementLine
        fields = []

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("match_with") is not None:
            # Checked again, under the line's lock, when the match is posted; this is so that a
            # page opened before the line was dealt with answers with the form, not an error page.
            stored = BankStatementLine.objects.select_related("donation").get(pk=self.instance.pk)
            try:
                line_check_waiting(stored)
            except ValidationError as error:
                self.add_error("match_with", error)
        return cleaned


@admin.register(BankStatementLine)
class BankStatementLineAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "booked_on",
        "amount_display",
        "description",
        "status",
        "donation",
        "candidate_display",
        "note",
        "source",
    ]
    list_filter = ["status", "source", "bank_account"]
    search_fields = ["description", "bank_ref"]
    list_select_related = ["donation", "candidate"]
    actions = ["post_received", "post_as_new", "ignore_lines"]
    form = LineMatchForm
    readonly_fields = [
        "booked_on",
        "amount",
        "description",
        "bank_ref",
        "source",
        "status",
        "donation",
        "candidate",
        "note",
    ]

    amount_display = money_display("amount", _("amount"))

    @admin.display(description=_("donation quoted"))
    def candidate_display(self, obj):
        """The pending donation whose reference the transfer quotes, when the amounts differ."""
        if obj.candidate is None:
            return ""
        return _("%(reference)s, announced %(amount)s") % {
            "reference": obj.candidate.transfer_reference,
            "amount": format_vnd(obj.candidate.amount),
        }

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.base_fields["match_with"].queryset = Donation.objects.visible_to(request.user).filter(
                fund=obj.bank_account.fund, status=DonationStatus.PENDING, amount=obj.amount
            )
        return form

    def save_model(self, request, obj, form, change):
        donation = form.cleaned_data.get("match_with")
        if donation is not None:
            line_post_to(line=obj, donation=donation, by=request.user)

    @admin.action(
        permissions=[Action.STATEMENT_RECONCILE],
        description=_("Post the donation each transfer quotes at the amount received"),
    )
    def post_received(self, request, queryset):
        each_selected(
            request,
            queryset,
            lambda line: line_post_received(line=line, by=request.user),
            lambda n: ngettext("%(n)d donation posted.", "%(n)d donations posted.", n),
        )

    @admin.action(
        permissions=[Action.STATEMENT_RECONCILE],
        description=_("Post the selected transfers as new anonymous donations"),
    )
    def post_as_new(self, request, queryset):
        each_selected(
            request,
            queryset,
            lambda line: line_post_as_new(line=line, by=request.user),
            lambda n: ngettext("%(n)d donation posted.", "%(n)d donations posted.", n),
        )

    @admin.action(
        permissions=[Action.STATEMENT_RECONCILE],
        description=_("Mark the selected transfers as not donations"),
    )
    def ignore_lines(self, request, queryset):
        note = str(_("Marked in the admin"))
        each_selected(
            request,
            queryset,
            lambda line: line_ignore(line=line, note=note, by=request.user),
            lambda n: ngettext("%(n)d line set aside.", "%(n)d lines set aside.", n),
        )
