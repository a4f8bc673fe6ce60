"""Admin of the one-day-salary drives: their agencies, the payments' import, and the collection page."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fund_portal.admin import ScopedAdminMixin, ServiceErrorsAdminMixin, admin_page
from fund_portal.authority import Action, action_required, reads
from fund_portal.exports import xlsx_download, xlsx_response
from fund_portal.forms import sheet_upload_run
from fund_portal.money import format_vnd

from ..imports.drive_payments import drive_payments_import, drive_payments_template
from ..models import DriveAgency, SalaryDrive
from ..selectors.drives import drive_collection
from ..services.drives import drive_agency_add, drive_agency_check, drive_agency_update


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
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/collection/", view(self.collection_view), name="donations_salarydrive_collection"),
            path(
                "<int:pk>/payments-template.xlsx",
                view(self.payments_template_view),
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
        preview = sheet_upload_run(request, form, partial(drive_payments_import, drive=drive))
        if preview is not None and not form.cleaned_data["dry_run"]:
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
                heading=[f"{drive.fund.name} · {drive.fund.unit.name}", drive.name, _("Amounts in đồng")],
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
            "drive": drive,
            "collection": collection,
            "form": form,
            "preview": preview,
            "title": _("%(drive)s: collection by agency") % {"drive": drive},
        }
        return admin_page(self, request, "admin/donations/drive_collection.html", context)
