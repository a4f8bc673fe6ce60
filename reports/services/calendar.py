"""Staff keep the reporting calendar and the reports' addressing as data: the kinds of report (the
portal's, changed by an administrator; a unit's, by its staff) and who each unit's reports are
addressed to, issued and signed by."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fund_portal.authority import Action, requires
from fund_portal.scope import units_in_reach
from reports.models import ReportAddressing, ReportKind


def _is_system(by) -> bool:
    return by is None or by.is_superuser


def report_kind_check(*, kind: ReportKind, by) -> None:
    """A kind of report is the portal's (no owner: an administrator's) or a unit's, within the scope of
    whoever keeps it; a unit's staff cannot change the portal's kinds, nor move a kind out of their unit."""
    if _is_system(by):
        return
    if kind.pk is not None:
        saved_owner = ReportKind.objects.filter(pk=kind.pk).values_list("owner_id", flat=True).first()
        if saved_owner is None:
            raise ValidationError(
                _("An administrator changes the portal's own kinds of report; make one for your unit."),
                code="owner",
            )
        if not units_in_reach(by, saved_owner):
            raise ValidationError(
                _("This kind of report belongs to a unit outside your scope."), code="owner"
            )
    if kind.owner_id is None:
        raise ValidationError(
            {"owner": _("Choose the unit whose units owe this report (yours or one under it).")}
        )
    if not units_in_reach(by, kind.owner_id):
        raise ValidationError({"owner": _("This unit is outside your scope.")})


@requires(Action.REPORT_CALENDAR)
def report_kind_save(*, kind: ReportKind, by) -> ReportKind:
    """Create or change a kind of report (see `report_kind_check`)."""
    report_kind_check(kind=kind, by=by)
    kind.full_clean()
    kind.save()
    return kind


def report_addressing_check(*, addressing: ReportAddressing, by) -> None:
    if _is_system(by):
        return
    for unit_id in {
        addressing.unit_id,
        ReportAddressing.objects.filter(pk=addressing.pk).values_list("unit_id", flat=True).first(),
    } - {None}:
        if not units_in_reach(by, unit_id):
            raise ValidationError({"unit": _("This unit is outside your scope.")})


@requires(Action.REPORT_CALENDAR)
def report_addressing_save(*, addressing: ReportAddressing, by) -> ReportAddressing:
    """Who a unit's reports go to, who issues and signs them (see `ReportAddressing`)."""
    report_addressing_check(addressing=addressing, by=by)
    for field in ("recipients", "issuer_parent", "issuer", "signer_authority", "signer_title", "signer_name"):
        setattr(
            addressing,
            field,
            "\n".join(line.strip() for line in getattr(addressing, field).splitlines() if line.strip()),
        )
    addressing.full_clean()
    addressing.save()
    return addressing


@requires(Action.REPORT_CALENDAR)
def report_addressing_delete(*, addressing: ReportAddressing, by) -> None:
    report_addressing_check(addressing=addressing, by=by)
    addressing.delete()
