"""Admin of donations: recorded, posted, cancelled and reversed through the services; their import."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fund_portal.admin import OneRowLinkChangeList, ScopedAdminMixin, admin_page, money_display
from fund_portal.authority import Action, action_required
from fund_portal.exports import xlsx_download
from fund_portal.forms import sheet_upload_run
from fund_portal.money import format_vnd
from fund_portal.paginators import KeysFirstPaginator

from ..imports.donations import donations_import, donations_import_template
from ..models import Donation, DonationStatus
from ..selectors.donations import donations_search
from ..services.donations import (
    donation_cancel,
    donation_check,
    donation_create,
    donation_post,
    donation_reverse,
    donation_update,
)
from .actions import each_selected


class DonationAdminForm(forms.ModelForm):
    """The admin's donation form: the services' rules are checked here, so they show on the fields."""

    class Meta:
        model = Donation
        fields = [f.name for f in Donation._meta.concrete_fields if f.editable and not f.auto_created]

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.instance.status != DonationStatus.PENDING:
            return data
        fund, amount, received_on = data.get("fund"), data.get("amount"), data.get("received_on")
        if fund and amount is not None and received_on:
            links = {k: data.get(k) for k in ("pledge", "drive_agency", "donor")}
            try:
                donation_check(fund=fund, amount=amount, received_on=received_on, fields=links)
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(Donation)
class DonationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = DonationAdminForm
    list_display = [
        "received_on",
        "receipt_number",
        "donor_display",
        "amount_display",
        "transfer_reference",
        "kind",
        "fund",
        "status",
    ]
    # The page's rows read only what the list shows (`OneRowLinkChangeList.get_results`; a donation's
    # label is its receipt number): a donation has 40 columns. 50 a page, as the children's list.
    list_only = [
        *("received_on", "receipt_number", "donor", "donor_name", "amount", "transfer_reference"),
        *("kind", "fund__name", "status"),
    ]
    list_per_page = 50
    list_filter = ["status", "kind", "source", "fund"]
    search_fields = ["receipt_number", "transfer_reference", "donor__name", "donor_name"]
    raw_id_fields = ["donor", "restriction_unit"]
    paginator = KeysFirstPaginator
    # The donor is read for the page's rows only (a prefetch after the page is cut): joined, PostgreSQL
    # joined it to every donation a search found before sorting them (10,000 for a name, 180 ms).
    list_select_related = ["fund"]
    actions = ["post_selected", "cancel_selected"]
    readonly_fields = [
        "status",
        "receipt_number",
        "transfer_reference",
        "posted_at",
        "posted_by",
        "created_by",
    ]
    show_full_result_count = False

    change_list_template = "admin/donations/donation_change_list.html"
    change_form_template = "admin/donations/donation_change_form.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/reverse/", view(self.reverse_view), name="donations_donation_reverse"),
            path("import/", view(self.import_view), name="donations_donation_import"),
            path("import/template.xlsx", view(self.template_view), name="donations_donation_import_template"),
            *super().get_urls(),
        ]

    @action_required(Action.DONATION_IMPORT)
    def import_view(self, request):
        """Upload donations from a spreadsheet: check it (dry run, preview), then import all or nothing."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DonationImportForm(request.POST or None, request.FILES or None)
        result = sheet_upload_run(request, form, donations_import)
        if result is not None and result.ok and result.written:
            messages.success(
                request,
                _("Imported and posted %(rows)s donations, %(total)s in all.")
                % {"rows": result.rows, "total": format_vnd(result.total)},
            )
            return redirect("admin:donations_donation_changelist")
        context = {
            "form": form,
            "result": result,
            "title": _("Import donations from a spreadsheet"),
        }
        return admin_page(self, request, "admin/donations/donation_import.html", context)

    @action_required(Action.DONATION_POST)
    def reverse_view(self, request, pk):
        """Correct a posted donation: a reversing entry with a reason; the original stays in the ledger."""
        donation = get_object_or_404(self.get_queryset(request), pk=pk)
        if not request.user.has_perm("donations.change_donation"):
            raise PermissionDenied
        form = ReversalForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                donation_reverse(donation=donation, reason=form.cleaned_data["reason"], by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Receipt %(number)s is reversed.") % {"number": donation.receipt_number}
                )
                return redirect("admin:donations_donation_change", donation.pk)
        context = {
            "form": form,
            "donation": donation,
            "title": _("Reverse receipt %(number)s") % {"number": donation.receipt_number},
        }
        return admin_page(self, request, "admin/donations/donation_reverse.html", context)

    @action_required(Action.DONATION_IMPORT)
    def template_view(self, request):
        return xlsx_download(donations_import_template(by=request.user), "mau-nhap-ung-ho.xlsx")

    def get_changelist(self, request, **kwargs):
        return OneRowLinkChangeList

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("donor")

    def get_search_results(self, request, queryset, search_term):
        """A code by equality, a name with or without diacritics (`donations_search`)."""
        return donations_search(donations=queryset, term=search_term), False

    @admin.display(description=_("receipt number"), ordering="receipt_number")
    def receipt_link(self, obj):
        if not obj.receipt_number:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("money:receipt", args=[obj.pk]), obj.receipt_number)

    @admin.display(description=_("donor"))
    def donor_display(self, obj):
        return obj.donor or obj.donor_name or "—"

    amount_display = money_display("amount", _("amount"))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != DonationStatus.PENDING:
            return [f.name for f in obj._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """A posted donation is only viewed: it is corrected by a reversal, never edited."""
        if obj is not None and obj.status != DonationStatus.PENDING:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            donation_update(donation=obj, by=request.user)
            return
        fields = {
            f: form.cleaned_data[f]
            for f in form.cleaned_data
            if f not in {"fund", "amount", "received_on", "kind"}
        }
        created = donation_create(
            fund=form.cleaned_data["fund"],
            amount=form.cleaned_data["amount"],
            received_on=form.cleaned_data["received_on"],
            kind=form.cleaned_data["kind"],
            by=request.user,
            **fields,
        )
        obj.pk = created.pk

    @admin.action(
        permissions=[Action.DONATION_POST],
        description=_("Post the selected donations and give them receipt numbers"),
    )
    def post_selected(self, request, queryset):
        each_selected(
            request,
            queryset.filter(status=DonationStatus.PENDING).order_by("received_on", "id"),
            lambda donation: donation_post(donation=donation, by=request.user),
            lambda n: ngettext("%(n)d donation posted.", "%(n)d donations posted.", n),
        )

    @admin.action(
        permissions=[Action.DONATION_POST], description=_("Cancel the selected donations that await payment")
    )
    def cancel_selected(self, request, queryset):
        each_selected(
            request,
            queryset,
            lambda donation: donation_cancel(donation=donation, by=request.user),
            lambda n: ngettext("%(n)d donation cancelled.", "%(n)d donations cancelled.", n),
        )


class ReversalForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DonationImportForm(forms.Form):
    file = forms.FileField(label=_("Donations (XLSX or CSV)"))
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False, initial=True)
