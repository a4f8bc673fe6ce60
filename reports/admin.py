"""Fund staff's side of the reports (a district's or a province's): the calendar and the addressing (data),
accept / return, build now, the dashboard."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fund_portal.admin import ScopedAdminMixin, ServiceErrorsAdminMixin, TolerantChangeListMixin
from fund_portal.authority import Action, action_required, reads
from fund_portal.exports import xlsx_download
from fund_portal.forms import ServiceCheckedAdminMixin, ServiceCheckedInlineMixin, service_checked_form
from fund_portal.models import AdministrativeUnit, UnitLevel
from fund_portal.pdf import pdf_response
from fund_portal.scope import national_role

from . import selectors
from .documents.parts import report_filename
from .documents.xlsx import report_xlsx
from .forms import ReturnForm
from .models import Plan, PlanTarget, Population, Report, ReportAddressing, ReportKind, Timeliness
from .services import calendar as calendar_services
from .services import plans as plan_services
from .services import reports as services


@admin.register(ReportKind)
class ReportKindAdmin(ServiceCheckedAdminMixin, ScopedAdminMixin, TolerantChangeListMixin, admin.ModelAdmin):
    form = service_checked_form(
        ReportKind, lambda record, by: calendar_services.report_kind_check(kind=record, by=by)
    )
    list_display = [
        "name",
        "cadence",
        "submitter_level",
        "consolidator_level",
        "owner",
        "period_text",
        "due_text",
        "draft_lead_days",
        "is_active",
    ]
    list_filter = ["cadence", "submitter_level", "consolidator_level", "is_active"]
    raw_id_fields = ["owner"]

    @admin.display(description=_("period"))
    def period_text(self, obj):
        return f"{obj.start_day:02d}/{obj.start_month:02d} – {obj.end_day:02d}/{obj.end_month:02d}"

    @admin.display(description=_("due"))
    def due_text(self, obj):
        return f"{obj.due_day:02d}/{obj.due_month:02d}"

    def has_delete_permission(self, request, obj=None):
        """A kind is retired (made inactive), never deleted: its reports keep it."""
        return False

    def save_model(self, request, obj, form, change):
        calendar_services.report_kind_save(kind=obj, by=request.user)


@admin.register(ReportAddressing)
class ReportAddressingAdmin(ServiceCheckedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Who each unit's reports go to ("Nơi nhận"), which body issues them and who signs them."""

    form = service_checked_form(
        ReportAddressing,
        lambda record, by: calendar_services.report_addressing_check(addressing=record, by=by),
    )
    list_display = ["unit", "kind", "recipients_text", "issuer", "signer_title", "signer_name"]
    list_select_related = ["unit", "kind"]
    search_fields = ["unit__name", "unit__code", "recipients", "signer_name"]
    raw_id_fields = ["unit"]

    @admin.display(description=_("sent to"))
    def recipients_text(self, obj):
        return "; ".join(obj.recipients.splitlines())

    def save_model(self, request, obj, form, change):
        calendar_services.report_addressing_save(addressing=obj, by=request.user)

    def delete_model(self, request, obj):
        calendar_services.report_addressing_delete(addressing=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for addressing in queryset:
            calendar_services.report_addressing_delete(addressing=addressing, by=request.user)


class PlanTargetInline(ServiceCheckedInlineMixin, admin.TabularInline):
    model = PlanTarget
    form = service_checked_form(
        PlanTarget,
        lambda record, by: plan_services.plan_target_check(target=record, by=by),
        fields=["unit", "indicator", "year", "value"],
    )
    extra = 1
    raw_id_fields = ["unit"]


@admin.register(Plan)
class PlanAdmin(ServiceCheckedAdminMixin, ScopedAdminMixin, ServiceErrorsAdminMixin, admin.ModelAdmin):
    """A unit's programme (2026–2030) and its targets per unit and year; reports print the unit's own."""

    form = service_checked_form(Plan, lambda record, by: plan_services.plan_check(plan=record, by=by))
    inlines = [PlanTargetInline]
    list_display = ["name", "unit", "first_year", "last_year", "is_active"]
    list_filter = ["is_active"]
    raw_id_fields = ["unit"]

    def has_delete_permission(self, request, obj=None):
        return False  # a plan is retired (made inactive): reports built on it keep its targets

    def save_model(self, request, obj, form, change):
        plan_services.plan_save(plan=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        targets = formset.save(commit=False)
        for target in formset.deleted_objects:
            plan_services.plan_target_delete(target=target, by=request.user)
        for target in targets:
            plan_services.plan_target_save(target=target, by=request.user)


@admin.register(Population)
class PopulationAdmin(ServiceCheckedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Each unit's child population by year: what coverage rates are counted over."""

    form = service_checked_form(
        Population, lambda record, by: plan_services.population_check(population=record, by=by)
    )
    list_display = ["unit", "year", "children_under_16", "children_under_6", "children_poor", "source"]
    list_filter = ["year"]
    list_select_related = ["unit"]
    search_fields = ["unit__name", "unit__code"]
    raw_id_fields = ["unit"]

    def save_model(self, request, obj, form, change):
        plan_services.population_save(population=obj, by=request.user)

    def delete_model(self, request, obj):
        plan_services.population_delete(population=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for population in queryset:
            plan_services.population_delete(population=population, by=request.user)


class BuildForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Report"), queryset=ReportKind.objects.filter(is_active=True))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=AdministrativeUnit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = AdministrativeUnit.objects.visible_to(user).filter(
            level__in=[UnitLevel.COMMUNE, UnitLevel.DISTRICT, UnitLevel.PROVINCE]
        )
        self.fields["year"].initial = timezone.localdate().year


class DashboardForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("Report"), queryset=ReportKind.objects.filter(is_active=True))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


@admin.register(Report)
class ReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["unit", "kind", "year", "due_on", "status", "submitted_at", "timeliness_text"]
    list_filter = ["status", "kind", "year"]
    list_select_related = ["unit", "kind"]
    search_fields = ["unit__name", "unit__code", "doc_number"]
    change_form_template = "admin/reports/report/change_form.html"
    change_list_template = "admin/reports/report/change_list.html"
    readonly_fields = [
        "kind",
        "unit",
        "year",
        "period_start",
        "period_end",
        "due_on",
        "status",
        "doc_number",
        "built_at",
        "submitted_at",
        "submitted_by",
        "decided_at",
        "decided_by",
        "comment",
        "emailed_at",
        "missing_marked_at",
        "results",
        "difficulties",
        "proposals",
    ]
    fields = readonly_fields
    actions = ["accept_selected"]

    @admin.display(description=_("timeliness"))
    def timeliness_text(self, obj):
        return Timeliness(obj.timeliness()).label

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("dashboard/", view(self.dashboard_view), name="reports_report_dashboard"),
            path("build/", view(self.build_view), name="reports_report_build"),
            path("<int:pk>/accept/", view(self.accept_view), name="reports_report_accept"),
            path("<int:pk>/return/", view(self.return_view), name="reports_report_return"),
            path("<int:pk>/pdf/", view(self.pdf_view), name="reports_report_pdf"),
            path("<int:pk>/xlsx/", view(self.xlsx_view), name="reports_report_xlsx"),
            *super().get_urls(),
        ]

    def _get(self, request, pk) -> Report:
        return get_object_or_404(self.get_queryset(request).select_related("kind", "unit"), pk=pk)

    @admin.action(permissions=[Action.REPORT_DECIDE], description=_("Accept the selected reports"))
    def accept_selected(self, request, queryset):
        done = 0
        for report in queryset:
            try:
                services.report_accept(report=report, by=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, f"{report}: {' '.join(getattr(error, 'messages', [str(error)]))}")
        if done:
            messages.success(request, _("%(n)d reports accepted.") % {"n": done})

    @action_required(Action.REPORT_DECIDE)
    def accept_view(self, request, pk):
        report = self._get(request, pk)
        if request.method == "POST":
            try:
                services.report_accept(report=report, by=request.user)
                messages.success(request, _("The report is accepted."))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return redirect("admin:reports_report_change", report.pk)

    @action_required(Action.REPORT_DECIDE)
    def return_view(self, request, pk):
        report = self._get(request, pk)
        form = ReturnForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.report_return(report=report, by=request.user, comment=form.cleaned_data["comment"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The report is returned to the unit with your comment."))
            return redirect("admin:reports_report_change", report.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "report": report,
            "form": form,
            "title": _("Return the report for correction"),
        }
        return TemplateResponse(request, "admin/reports/report/return.html", context)

    @action_required(Action.REPORT_PREPARE)
    def build_view(self, request):
        form = BuildForm(request.POST or None, user=request.user, initial=request.GET.dict() or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = services.report_build(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The report has been built from the current figures."))
                return redirect("admin:reports_report_change", report.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Build a report now"),
        }
        return TemplateResponse(request, "admin/reports/report/build.html", context)

    @reads
    def dashboard_view(self, request):
        """Per unit: on time / late / missing, and the completeness rate (as DHIS2's reporting rates)."""
        form = DashboardForm(request.GET or None)
        rows, summary = [], None
        if form.is_valid():
            kind, year = form.cleaned_data["kind"], form.cleaned_data["year"]
            everywhere = request.user.is_superuser or national_role(request.user)
            under = None if everywhere else request.user.unit
            if under is None and not everywhere:
                raise PermissionDenied
            rows = selectors.report_completeness(kind=kind, year=year, under=under)
            summary = selectors.completeness_summary(rows)
        for row in rows:
            row["label"] = Timeliness(row["timeliness"]).label
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "rows": rows,
            "summary": summary,
            "title": _("Reporting dashboard"),
        }
        return TemplateResponse(request, "admin/reports/report/dashboard.html", context)

    @reads
    def pdf_view(self, request, pk):
        report = self._get(request, pk)
        pdf = services.report_pdf_read(report=report, by=request.user)
        return pdf_response(pdf, report_filename(report, "pdf"))

    @reads
    def xlsx_view(self, request, pk):
        report = self._get(request, pk)
        data = report_xlsx(report=report, completeness=selectors.consolidation_completeness(report))
        return xlsx_download(data, report_filename(report, "xlsx"))

    def save_model(self, request, obj, form, change):
        """Every field is read-only: a report changes only through its services (build, submit,
        accept, return), so the change form's Save writes nothing; re-saving the row loaded here
        could undo a submission or a decision made meanwhile."""

    def response_change(self, request, obj):
        return redirect(reverse("admin:reports_report_change", args=[obj.pk]))
