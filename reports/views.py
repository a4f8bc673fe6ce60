"""The officers' report pages under /portal/reports/: list, draft, narrative, submit, downloads."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from fund_portal.authority import Action
from fund_portal.exports import xlsx_download
from fund_portal.pdf import pdf_response
from fund_portal.views import portal_action, portal_view, scoped_get_object_or_404

from . import selectors
from .documents.parts import report_filename
from .documents.sections import report_sections
from .documents.xlsx import report_xlsx
from .forms import BuildForm, NarrativeForm
from .models import Report
from .services import reports as services


def _error(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@portal_view
def report_list(request):
    reports = (
        Report.objects.visible_to(request.user)
        .select_related("kind", "unit")
        .order_by("-year", "-due_on", "unit__path")[:200]
    )
    return render(request, "reports/report_list.html", {"reports": reports, "form": BuildForm()})


@portal_action(Action.REPORT_PREPARE)
@require_POST
def report_build_view(request):
    form = BuildForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("reports:list")
    unit = request.user.unit
    try:
        kind = services.report_kind_for(cadence=form.cleaned_data["cadence"], unit=unit)
        report = services.report_build(kind=kind, unit=unit, year=form.cleaned_data["year"], by=request.user)
    except ValidationError as error:
        _error(request, error)
        return redirect("reports:list")
    messages.success(request, _("The report has been built from the current figures."))
    return redirect(report)


@portal_view
def report_detail(request, pk):
    report = scoped_get_object_or_404(
        Report.objects.select_related("kind", "unit", "submitted_by"), request.user, pk=pk
    )
    form = NarrativeForm(
        initial={
            "results": report.results,
            "difficulties": report.difficulties,
            "proposals": report.proposals,
        }
    )
    sections = report_sections(report=report) if report.figures else []
    return render(
        request,
        "reports/report_detail.html",
        {"report": report, "form": form, "sections": sections, "timeliness": report.timeliness()},
    )


@portal_action(Action.REPORT_PREPARE)
@require_POST
def report_narrative_view(request, pk):
    report = scoped_get_object_or_404(Report.objects.all(), request.user, pk=pk)
    form = NarrativeForm(request.POST)
    if form.is_valid():
        try:
            services.report_narrative_save(report=report, by=request.user, **form.cleaned_data)
            messages.success(request, _("The text of the report has been saved."))
        except ValidationError as error:
            _error(request, error)
    return redirect(report)


@portal_action(Action.REPORT_PREPARE)
@require_POST
def report_submit_view(request, pk):
    """Submitting cannot be undone by the commune: a first POST shows what it does and asks again."""
    report = scoped_get_object_or_404(Report.objects.select_related("kind", "unit"), request.user, pk=pk)
    if request.POST.get("confirmed") != "1":
        return render(request, "reports/report_submit_confirm.html", {"report": report})
    try:
        services.report_submit(report=report, by=request.user)
        messages.success(request, _("The report has been submitted; its figures are now frozen."))
    except ValidationError as error:
        _error(request, error)
    return redirect(report)


@portal_view
def report_pdf_view(request, pk):
    report = scoped_get_object_or_404(Report.objects.select_related("kind", "unit"), request.user, pk=pk)
    pdf = services.report_pdf_read(report=report, by=request.user)
    return pdf_response(pdf, report_filename(report, "pdf"))


@portal_view
def report_xlsx_view(request, pk):
    report = scoped_get_object_or_404(Report.objects.select_related("kind", "unit"), request.user, pk=pk)
    data = report_xlsx(report=report, completeness=selectors.consolidation_completeness(report))
    return xlsx_download(data, report_filename(report, "xlsx"))
