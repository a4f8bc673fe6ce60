"""The reports' part of the demo, after the children: the province's programme 2026–2030 with its targets,
the child population of the demo communes, and this year's six-month reports gone up the chain (the
communes' accepted by the district, the district's submitted and waiting for the province), so the
province's staff can accept it and build the province's report on the day the demo is loaded.

Idempotent: a plan or a report that exists is left as it is."""

from __future__ import annotations

from django.utils import timezone

from fund_portal.demo import DEMO_COMMUNES, DISTRICT_CODE, PROVINCE_CODE
from fund_portal.models import AdministrativeUnit, User
from reports.models import Plan, PlanTarget, Population, Report, ReportStatus
from reports.selectors import report_kind_of
from reports.services.reports import report_accept, report_build, report_narrative_save, report_submit

#: The province's targets for every year of its programme, and the district's own count.
TARGETS = {"special_supported": 99, "poor_supported": 100, "health_checked": 100, "nutrition": 100}
DISTRICT_PLAY_EQUIPMENT = 14
#: The demo communes' population (children under 16, under 6, of poor households), from the statistics office.
POPULATION = {
    "15703": (1_480, 520, 160),
    "15682": (1_230, 450, 120),
    "15670": (960, 380, 310),
    "15769": (1_120, 430, 350),
    "15664": (2_350, 840, 90),
}


def demo_plan(year: int) -> None:
    province = AdministrativeUnit.objects.get(code=PROVINCE_CODE)
    district = AdministrativeUnit.objects.get(code=DISTRICT_CODE)
    plan, created = Plan.objects.get_or_create(
        unit=province,
        name="Chương trình bảo vệ, chăm sóc trẻ em tỉnh Thanh Hóa",
        defaults={"first_year": 2026, "last_year": 2030},
    )
    if created:
        for indicator, value in TARGETS.items():
            PlanTarget.objects.create(plan=plan, unit=province, indicator=indicator, value=value)
        PlanTarget.objects.create(
            plan=plan, unit=district, indicator="play_equipment", value=DISTRICT_PLAY_EQUIPMENT
        )
    for code, (under_16, under_6, poor) in POPULATION.items():
        Population.objects.get_or_create(
            unit=AdministrativeUnit.objects.get(code=code),
            year=year,
            defaults={
                "children_under_16": under_16,
                "children_under_6": under_6,
                "children_poor": poor,
                "source": f"Chi cục Thống kê, {year}",
            },
        )


def _submitted(unit: AdministrativeUnit, by: User, year: int) -> Report | None:
    kind = report_kind_of(cadence="semiannual", unit=unit)
    if kind is None or kind.period(year)[2] > timezone.localdate():
        return None  # not due yet this year
    report = report_build(kind=kind, unit=unit, year=year, by=by, render=False)
    if report.status == ReportStatus.DRAFT:
        report_narrative_save(
            report=report,
            by=by,
            results=f"Đã rà soát, cập nhật danh sách trẻ em của {unit.name} và hỗ trợ kịp thời.",
            difficulties="Nguồn vận động còn ít; một số thôn xa, đi lại khó khăn.",
            proposals="Đề nghị cấp trên hỗ trợ thêm kinh phí khám sức khỏe cho trẻ em.",
        )
        report = report_submit(report=report, by=by)
    return report


def demo_seed() -> None:
    year = timezone.localdate().year
    demo_plan(year)
    district = AdministrativeUnit.objects.get(code=DISTRICT_CODE)
    staff = User.objects.get(username="canbo.huyen")
    for code, (login, *_flags) in list(DEMO_COMMUNES.items())[:3]:  # two communes have not reported
        report = _submitted(AdministrativeUnit.objects.get(code=code), User.objects.get(username=login), year)
        if report is not None and report.status == ReportStatus.SUBMITTED:
            report_accept(report=report, by=staff)
    _submitted(district, staff, year)
