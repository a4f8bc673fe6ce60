"""Admin of the donor network: donors, their import, likely duplicates and merging, commendation."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fund_portal.admin import ScopedAdminMixin, admin_page
from fund_portal.authority import Action, action_required, reads
from fund_portal.exports import xlsx_download, xlsx_response
from fund_portal.forms import MoneyField, sheet_upload_run
from fund_portal.money import format_vnd

from ..imports.donors import donors_import, donors_template
from ..models import Donor
from ..selectors.donors import donor_duplicates, donor_history, donors_for_recognition
from ..selectors.funds import user_fund
from ..selectors.transparency import recognition_thresholds
from ..services.donors import donor_merge, donor_save


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
        view = self.admin_site.admin_view
        return [
            path("duplicates/", view(self.duplicates_view), name="donations_donor_duplicates"),
            path("recognition/", view(self.recognition_view), name="donations_donor_recognition"),
            path("import/", view(self.import_view), name="donations_donor_import"),
            path("import/template.xlsx", view(self.template_view), name="donations_donor_import_template"),
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
            return None
        if request.POST.get("confirmed") != "yes":  # a merge cannot be undone: ask once more
            context = {
                "title": _("Merge two donors?"),
                "kept": donors[0],
                "duplicate": donors[1],
                "hidden": [
                    (helpers.ACTION_CHECKBOX_NAME, donors[0].pk),
                    (helpers.ACTION_CHECKBOX_NAME, donors[1].pk),
                    ("action", "merge_selected"),
                    ("confirmed", "yes"),
                ],
            }
            return admin_page(self, request, "admin/donations/donor/merge_confirm.html", context)
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
        result = sheet_upload_run(request, form, donors_import)
        if result is not None and not form.cleaned_data["dry_run"]:
            messages.success(
                request,
                _("%(new)d donors added, %(updated)d updated.")
                % {"new": result.new, "updated": result.updated},
            )
            return redirect("admin:donations_donor_changelist")
        context = {
            "form": form,
            "result": result,
            "title": _("Import donors from a spreadsheet"),
        }
        return admin_page(self, request, "admin/donations/donor_import.html", context)

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
            "pairs": pairs,
            "title": _("Possible duplicate donors"),
        }
        return admin_page(self, request, "admin/donations/donor_duplicates.html", context)

    @reads
    def recognition_view(self, request):
        """Donors to propose for commendation (biểu dương, khen thưởng), on screen or as XLSX."""
        today = timezone.localdate()
        min_amount, years = recognition_thresholds(fund=user_fund(user=request.user))  # their fund's own
        form = RecognitionForm(
            request.GET or None,
            initial={"year": today.year, "min_amount": min_amount, "consecutive_years": years},
        )
        rows = []
        if form.is_valid():
            rows = donors_for_recognition(user=request.user, **form.cleaned_data)
            if request.GET.get("format") == "xlsx":
                year = form.cleaned_data["year"]
                return xlsx_response(
                    filename=f"de-xuat-khen-thuong-{year}.xlsx",
                    title=str(_("Recognition")),
                    heading=[
                        request.user.unit.name if request.user.unit else settings.FUND_NAME,
                        _("Donors proposed for recognition, year %(year)s") % {"year": year},
                        _("Amounts in đồng"),
                    ],
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
            "form": form,
            "rows": rows,
            "title": _("Donors to propose for commendation"),
        }
        return admin_page(self, request, "admin/donations/donor_recognition.html", context)
