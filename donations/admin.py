"""District staff run the fund in the admin; every write goes through donations.services."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fund_portal.admin import ScopedAdminMixin, ServiceErrorsAdminMixin
from fund_portal.authority import Action, action_required, reads
from fund_portal.exports import xlsx_download, xlsx_response
from fund_portal.forms import MoneyField
from fund_portal.money import format_vnd
from fund_portal.paginators import CappedCountPaginator

from .imports.donations import donations_import, donations_import_template
from .imports.donors import donors_import, donors_template
from .imports.drive_payments import drive_payments_import, drive_payments_template
from .models import (
    BankAccount,
    BankStatement,
    BankStatementLine,
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationStatus,
    Donor,
    DriveAgency,
    Fund,
    LedgerEntry,
    Pledge,
    SalaryDrive,
    StockItem,
    StockMovement,
)
from .selectors.donors import donor_duplicates, donor_history, donors_for_recognition
from .selectors.drives import drive_collection
from .selectors.pledges import pledge_progress
from .services.disbursements import (
    DISBURSEMENT_UPDATABLE_FIELDS,
    disbursement_approve,
    disbursement_check,
    disbursement_propose,
    disbursement_reject,
    disbursement_update,
    disbursement_update_check,
)
from .services.donations import (
    donation_cancel,
    donation_check,
    donation_create,
    donation_post,
    donation_reverse,
    donation_update,
)
from .services.donors import donor_merge, donor_save
from .services.drives import drive_agency_add, drive_agency_check, drive_agency_update
from .services.pledges import PLEDGE_UPDATABLE_FIELDS, pledge_check, pledge_create, pledge_update
from .services.statements import (
    line_check_waiting,
    line_ignore,
    line_post_as_new,
    line_post_to,
    statement_import,
)


def _each(request, items, act, message) -> None:
    """Run a service on each selected record; report how many went through and every refusal."""
    done, errors = 0, []
    for item in items:
        try:
            act(item)
            done += 1
        except ValidationError as error:
            errors += [f"{item}: {m}" for m in error.messages]
    if done:
        messages.success(request, message(done) % {"n": done})
    for error in errors:
        messages.error(request, error)


class BankAccountInline(admin.TabularInline):
    model = BankAccount
    extra = 0


@admin.register(Fund)
class FundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "code", "unit", "is_active"]
    search_fields = ["name", "code"]
    inlines = [BankAccountInline]


class DonorImportForm(forms.Form):
    file = forms.FileField(label=_("Donors (XLSX or CSV)"))
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False, initial=True)


class RecognitionForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    min_amount = MoneyField(label=_("Gave at least (đồng) in the year"))
    consecutive_years = forms.IntegerField(
        label=_("or gave in at least N consecutive years"), min_value=1, max_value=50
    )


class PossibleDuplicateFilter(admin.SimpleListFilter):
    title = _("possible duplicates")
    parameter_name = "duplicates"

    def lookups(self, request, model_admin):
        return [("yes", _("Same tax code or same name"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        ids = {d.pk for pair in donor_duplicates(user=request.user) for d in pair[:2]}
        return queryset.filter(pk__in=ids)


@admin.register(Donor)
class DonorAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "tax_code", "phone", "display_preference", "unit", "merged_into"]
    list_filter = [PossibleDuplicateFilter, "kind", "display_preference"]
    search_fields = ["name", "name_folded", "tax_code", "phone", "email"]
    raw_id_fields = ["address_unit", "user", "merged_into"]
    list_select_related = ["unit", "merged_into"]
    actions = ["merge_selected"]
    change_list_template = "admin/donations/donor_change_list.html"
    readonly_fields = ["history"]

    @admin.display(description=_("history"))
    def history(self, obj):
        """What the donor has given: count, total, first and last date, and a link to the donations."""
        if obj.pk is None:
            return "—"
        summary = donor_history(donor=obj)
        return format_html(
            '{} · {} · {} – {} · <a href="{}?donor__id__exact={}">{}</a>',
            _("%(n)s donations") % {"n": summary["count"]},
            format_vnd(summary["total"]),
            summary["first"].strftime("%d/%m/%Y") if summary["first"] else "—",
            summary["last"].strftime("%d/%m/%Y") if summary["last"] else "—",
            reverse("admin:donations_donation_changelist"),
            obj.pk,
            _("see the donations"),
        )

    def save_model(self, request, obj, form, change):
        donor_save(donor=obj)

    def get_urls(self):
        return [
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name="donations_donor_duplicates",
            ),
            path(
                "recognition/",
                self.admin_site.admin_view(self.recognition_view),
                name="donations_donor_recognition",
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="donations_donor_import"),
            path(
                "import/template.xlsx",
                self.admin_site.admin_view(self.template_view),
                name="donations_donor_import_template",
            ),
            *super().get_urls(),
        ]

    @admin.action(
        permissions=[Action.DONOR_MERGE],
        description=_("Merge the two selected donors (the older record is kept)"),
    )
    def merge_selected(self, request, queryset):
        donors = list(queryset.order_by("pk")[:3])
        if len(donors) != 2:
            messages.error(request, _("Select exactly two donors to merge."))
            return
        try:
            kept = donor_merge(keep=donors[0], duplicate=donors[1], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(duplicate)s is merged into %(kept)s with all its donations.")
                % {"duplicate": donors[1], "kept": kept},
            )

    @action_required(Action.DONOR_MANAGE)
    def import_view(self, request):
        """Donors from a spreadsheet (django-import-export): a check first, then all or nothing."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DonorImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = donors_import(
                    uploaded=upload, by=request.user, name=upload.name, dry_run=form.cleaned_data["dry_run"]
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            else:
                if not form.cleaned_data["dry_run"]:
                    messages.success(
                        request,
                        _("%(new)d donors added, %(updated)d updated.")
                        % {"new": result.new, "updated": result.updated},
                    )
                    return redirect("admin:donations_donor_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "title": _("Import donors from a spreadsheet"),
        }
        return TemplateResponse(request, "admin/donations/donor_import.html", context)

    @action_required(Action.DONOR_MANAGE)
    def template_view(self, request):
        return xlsx_download(donors_template(), "mau-nha-tai-tro.xlsx")

    @action_required(Action.DONOR_MERGE, post_only=True)
    def duplicates_view(self, request):
        """Likely duplicates side by side, each with a button that merges it into the older record."""
        if request.method == "POST":
            keep = get_object_or_404(Donor.objects.visible_to(request.user), pk=request.POST.get("keep"))
            duplicate = get_object_or_404(
                Donor.objects.visible_to(request.user), pk=request.POST.get("duplicate")
            )
            try:
                donor_merge(keep=keep, duplicate=duplicate, by=request.user)
                messages.success(
                    request,
                    _("%(duplicate)s is merged into %(kept)s with all its donations.")
                    % {"duplicate": duplicate, "kept": keep},
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            return redirect("admin:donations_donor_duplicates")
        pairs = donor_duplicates(user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "pairs": pairs,
            "title": _("Possible duplicate donors"),
        }
        return TemplateResponse(request, "admin/donations/donor_duplicates.html", context)

    @reads
    def recognition_view(self, request):
        """Donors to propose for commendation (biểu dương, khen thưởng), on screen or as XLSX."""
        today = timezone.localdate()
        form = RecognitionForm(
            request.GET or None,
            initial={
                "year": today.year,
                "min_amount": settings.RECOGNITION_MIN_AMOUNT,
                "consecutive_years": settings.RECOGNITION_CONSECUTIVE_YEARS,
            },
        )
        rows = []
        if form.is_valid():
            rows = donors_for_recognition(user=request.user, **form.cleaned_data)
            if request.GET.get("format") == "xlsx":
                year = form.cleaned_data["year"]
                return xlsx_response(
                    filename=f"de-xuat-khen-thuong-{year}.xlsx",
                    title=str(_("Recognition")),
                    headers=[
                        str(h)
                        for h in (
                            _("Donor"),
                            _("Kind"),
                            _("Tax code"),
                            _("Given in the year (đồng)"),
                            _("Consecutive years"),
                            _("Given in all years (đồng)"),
                        )
                    ],
                    rows=[
                        (
                            r["donor"].name,
                            r["donor"].get_kind_display(),
                            r["donor"].tax_code,
                            r["total_in_year"],
                            r["streak"],
                            r["total_all_years"],
                        )
                        for r in rows
                    ],
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "rows": rows,
            "title": _("Donors to propose for commendation"),
        }
        return TemplateResponse(request, "admin/donations/donor_recognition.html", context)


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
        "kind",
        "fund",
        "status",
    ]
    list_filter = ["status", "kind", "source", "fund"]
    search_fields = ["receipt_number", "transfer_reference", "donor__name", "donor_name"]
    raw_id_fields = ["donor", "restriction_unit"]
    paginator = CappedCountPaginator
    list_select_related = ["fund", "donor"]
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
        return [
            path(
                "<int:pk>/reverse/",
                self.admin_site.admin_view(self.reverse_view),
                name="donations_donation_reverse",
            ),
            path("import/", self.admin_site.admin_view(self.import_view), name="donations_donation_import"),
            path(
                "import/template.xlsx",
                self.admin_site.admin_view(self.template_view),
                name="donations_donation_import_template",
            ),
            *super().get_urls(),
        ]

    @action_required(Action.DONATION_IMPORT)
    def import_view(self, request):
        """Upload donations from a spreadsheet: check it (dry run, preview), then import all or nothing."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DonationImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            result = donations_import(
                uploaded=upload, by=request.user, name=upload.name, dry_run=form.cleaned_data["dry_run"]
            )
            if result.ok and result.written:
                messages.success(
                    request,
                    _("Imported and posted %(rows)s donations, %(total)s in all.")
                    % {"rows": result.rows, "total": format_vnd(result.total)},
                )
                return redirect("admin:donations_donation_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "title": _("Import donations from a spreadsheet"),
        }
        return TemplateResponse(request, "admin/donations/donation_import.html", context)

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
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "donation": donation,
            "title": _("Reverse receipt %(number)s") % {"number": donation.receipt_number},
        }
        return TemplateResponse(request, "admin/donations/donation_reverse.html", context)

    @action_required(Action.DONATION_IMPORT)
    def template_view(self, request):
        return xlsx_download(donations_import_template(by=request.user), "mau-nhap-ung-ho.xlsx")

    @admin.display(description=_("receipt number"), ordering="receipt_number")
    def receipt_link(self, obj):
        if not obj.receipt_number:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("money:receipt", args=[obj.pk]), obj.receipt_number)

    @admin.display(description=_("donor"))
    def donor_display(self, obj):
        return obj.donor or obj.donor_name or "—"

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_vnd(obj.amount)

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
        _each(
            request,
            queryset.filter(status=DonationStatus.PENDING).order_by("received_on", "id"),
            lambda donation: donation_post(donation=donation, by=request.user),
            lambda n: ngettext("%(n)d donation posted.", "%(n)d donations posted.", n),
        )

    @admin.action(
        permissions=[Action.DONATION_POST], description=_("Cancel the selected donations that await payment")
    )
    def cancel_selected(self, request, queryset):
        _each(
            request,
            queryset,
            lambda donation: donation_cancel(donation=donation, by=request.user),
            lambda n: ngettext("%(n)d donation cancelled.", "%(n)d donations cancelled.", n),
        )


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The ledger, read-only: entries are made by posting, approving and reversing."""

    list_display = ["entry_date", "fund", "kind", "medium", "amount_display", "description", "restriction"]
    list_filter = ["fund", "kind", "medium", "source", "restriction"]
    paginator = CappedCountPaginator
    list_select_related = ["fund"]
    show_full_result_count = False

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_vnd(obj.amount)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
    ]

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_vnd(obj.amount)

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

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != DisbursementStatus.PROPOSED:
            return [*(f.name for f in obj._meta.fields), "edits_display"]
        return self.readonly_fields

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
        _each(
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
        _each(
            request,
            queryset.filter(status=DisbursementStatus.PROPOSED),
            lambda item: disbursement_reject(disbursement=item, by=request.user, note=note),
            lambda n: ngettext("%(n)d disbursement rejected.", "%(n)d disbursements rejected.", n),
        )


class StockMovementInline(admin.TabularInline):
    model = StockMovement
    extra = 0
    can_delete = False
    readonly_fields = ["moved_on", "quantity", "donation", "disbursement"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StockItem)
class StockItemAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Stock, read-only: goods come in by posting a goods donation (`stock_receive`) and go out by an
    approved disbursement (`stock_issue`). An item is found by its fund, name and unit, so renaming
    one by hand would send the next receipt to a new item and break the reversal of past donations."""

    list_display = ["name", "unit_of_measure", "quantity", "fund"]
    list_filter = ["fund"]
    search_fields = ["name"]
    readonly_fields = ["quantity"]
    inlines = [StockMovementInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReversalForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DonationImportForm(forms.Form):
    file = forms.FileField(label=_("Donations (XLSX or CSV)"))
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False, initial=True)


class StatementImportForm(forms.Form):
    bank_account = forms.ModelChoiceField(label=_("Bank account"), queryset=BankAccount.objects.none())
    file = forms.FileField(
        label=_("Statement (CSV or XLSX)"),
        help_text=_("Columns: Ngày giao dịch, Số tiền, Nội dung, Mã giao dịch."),
    )


@admin.register(BankStatement)
class BankStatementAdmin(ScopedAdminMixin, admin.ModelAdmin):
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
                for message in error.messages:
                    form.add_error("file", message)
            else:
                counts = {
                    "new": statement.new_lines,
                    "matched": statement.matched_lines,
                    "known": statement.known_lines,
                }
                if statement.known_lines:
                    text = _(
                        "%(new)d new lines, %(matched)d matched and posted; %(known)d already on record."
                    )
                else:
                    text = _("%(new)d new lines, %(matched)d matched and posted.")
                messages.success(request, text % counts)
                return redirect("admin:donations_bankstatementline_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("Import a bank statement"),
        }
        return TemplateResponse(request, "admin/donations/statement_import.html", context)


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
    list_display = ["booked_on", "amount_display", "description", "status", "donation", "note"]
    list_filter = ["status", "bank_account"]
    search_fields = ["description", "bank_ref"]
    list_select_related = ["donation"]
    actions = ["post_as_new", "ignore_lines"]
    form = LineMatchForm
    readonly_fields = ["booked_on", "amount", "description", "bank_ref", "status", "donation", "note"]

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, obj):
        return format_vnd(obj.amount)

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
        description=_("Post the selected transfers as new anonymous donations"),
    )
    def post_as_new(self, request, queryset):
        _each(
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
        _each(
            request,
            queryset,
            lambda line: line_ignore(line=line, note=note, by=request.user),
            lambda n: ngettext("%(n)d line set aside.", "%(n)d lines set aside.", n),
        )


class PledgeAdminForm(forms.ModelForm):
    """The rules of a pledge (`pledge_check`), shown on the form's fields."""

    class Meta:
        model = Pledge
        fields = list(PLEDGE_UPDATABLE_FIELDS)

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            pledge_check(pledge=self.instance)
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(Pledge)
class PledgeAdmin(ServiceErrorsAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = PledgeAdminForm
    list_display = ["donor", "amount_display", "paid_display", "pledged_on", "due_by", "fund"]
    list_select_related = ["donor", "fund"]
    raw_id_fields = ["donor"]
    search_fields = ["donor__name"]
    readonly_fields = ["created_by", "edited_by", "edited_at"]

    @admin.display(description=_("pledged"), ordering="amount")
    def amount_display(self, obj):
        return format_vnd(obj.amount)

    @admin.display(description=_("paid"))
    def paid_display(self, obj):
        progress = pledge_progress(pledge=obj)
        text = format_vnd(progress["paid"])
        return format_html("{} <strong>{}</strong>", text, _("overdue")) if progress["overdue"] else text

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k in PLEDGE_UPDATABLE_FIELDS}
        if change:
            pledge_update(pledge=obj, by=request.user, **data)
            return
        obj.pk = pledge_create(by=request.user, **data).pk


class DriveAgencyForm(forms.ModelForm):
    """An agency's line in a drive, checked by `drive_agency_check` so refusals show here."""

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("agency") and not data.get("DELETE"):
            try:
                drive_agency_check(agency=data["agency"], row=self.instance)
            except ValidationError as error:
                self.add_error(None, error)
        return data


class DriveAgencyInline(admin.TabularInline):
    model = DriveAgency
    form = DriveAgencyForm
    extra = 0
    raw_id_fields = ["agency"]


class DrivePaymentsForm(forms.Form):
    file = forms.FileField(
        label=_("Payments (CSV or XLSX)"),
        help_text=_("Columns: Cơ quan, Mã số thuế, Số tiền, Ngày nộp, Mã chứng từ."),
    )
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False, initial=True)


@admin.register(SalaryDrive)
class SalaryDriveAdmin(ServiceErrorsAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "year", "fund", "collection_link"]
    inlines = [DriveAgencyInline]

    def save_formset(self, request, form, formset, change):
        """The agencies through `drive_agency_add` / `drive_agency_update`. A removed line is deleted
        as it is: one with payments is protected, and the admin refuses it on the form."""
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        for row in rows:
            terms = {"agency": row.agency, "headcount": row.headcount, "expected_amount": row.expected_amount}
            if row.pk is None:
                drive_agency_add(drive=form.instance, by=request.user, **terms)
            else:
                drive_agency_update(row=row, by=request.user, **terms)

    def get_urls(self):
        return [
            path(
                "<int:pk>/collection/",
                self.admin_site.admin_view(self.collection_view),
                name="donations_salarydrive_collection",
            ),
            path(
                "<int:pk>/payments-template.xlsx",
                self.admin_site.admin_view(self.payments_template_view),
                name="donations_salarydrive_payments_template",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("collection"))
    def collection_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:donations_salarydrive_collection", args=[obj.pk]),
            _("Collection by agency"),
        )

    @reads
    def payments_template_view(self, request, pk):
        drive = get_object_or_404(SalaryDrive.objects.visible_to(request.user), pk=pk)
        return xlsx_download(drive_payments_template(drive=drive), f"mau-nop-ngay-luong-{drive.year}.xlsx")

    @action_required(Action.DRIVE_MANAGE, post_only=True)
    def collection_view(self, request, pk):
        """Expected, paid and rate per agency; who has not paid; payments imported from a spreadsheet."""
        drive = get_object_or_404(SalaryDrive.objects.visible_to(request.user), pk=pk)
        form = DrivePaymentsForm(request.POST or None, request.FILES or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                preview = drive_payments_import(
                    drive=drive,
                    uploaded=upload,
                    by=request.user,
                    name=upload.name,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            else:
                if not form.cleaned_data["dry_run"]:
                    messages.success(
                        request,
                        _("%(n)d payments posted, %(total)s in all.")
                        % {"n": preview.rows, "total": format_vnd(preview.total)},
                    )
                    return redirect("admin:donations_salarydrive_collection", pk=drive.pk)
        collection = drive_collection(drive=drive)
        if request.GET.get("format") == "xlsx":
            return xlsx_response(
                filename=f"ung-ho-ngay-luong-{drive.year}.xlsx",
                title=str(drive.year),
                headers=[
                    str(h)
                    for h in (
                        _("Agency"),
                        _("Headcount"),
                        _("Expected (đồng)"),
                        _("Paid (đồng)"),
                        _("Rate (%)"),
                    )
                ],
                rows=[
                    (a["agency"].name, a["headcount"], a["expected"], a["paid"], a["rate"])
                    for a in collection["agencies"]
                ],
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "drive": drive,
            "collection": collection,
            "form": form,
            "preview": preview,
            "title": _("%(drive)s: collection by agency") % {"drive": drive},
        }
        return TemplateResponse(request, "admin/donations/drive_collection.html", context)
