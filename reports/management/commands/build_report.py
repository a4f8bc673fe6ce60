"""`manage.py build_report --kind annual --year 2026 --unit 15703 --out report.pdf` (or `--json`)."""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from fund_portal.models import User
from reports.figures.compute import compute_figures
from reports.models import Cadence
from reports.selectors import accepted_figures
from reports.services.reports import (
    check_period,
    check_year,
    report_build,
    report_kind_for,
    require_unit_in_scope,
    unit_by_code,
)


class Command(BaseCommand):
    help = _(
        "Build a unit's periodic report now: the PDF (saved as the unit's draft) or the figures as JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=[Cadence.SEMIANNUAL, Cadence.ANNUAL])
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument(
            "--unit", required=True, metavar="CODE", help=_("Code of the administrative unit.")
        )
        parser.add_argument(
            "--out", metavar="FILE", help=_("Write the PDF (or, with --json, the figures) here.")
        )
        parser.add_argument(
            "--json", action="store_true", help=_("Only the figures, as JSON; nothing is saved.")
        )
        parser.add_argument("--user", metavar="USERNAME", help=_("Build as this user (their scope applies)."))

    def handle(self, *args, **options):
        try:
            by = None
            if options["user"]:
                by = User.objects.filter(username=options["user"]).first()
                if by is None:
                    raise CommandError(_("No user is called “%(name)s”.") % {"name": options["user"]})
            unit = unit_by_code(code=options["unit"])
            require_unit_in_scope(by=by, unit=unit)
            kind = report_kind_for(cadence=options["kind"], unit=unit)
            check_year(options["year"])
            if options["json"]:
                start, end, _due = kind.period(options["year"])
                check_period(start, end)
                accepted = accepted_figures(kind=kind, unit=unit, year=options["year"], start=start, end=end)
                figures = compute_figures(
                    unit=unit, start=start, end=end, year=options["year"], accepted=accepted
                )
                text = json.dumps(figures, ensure_ascii=False, indent=2)
                if options["out"]:
                    with open(options["out"], "w", encoding="utf-8") as out:
                        out.write(text)
                else:
                    self.stdout.write(text)
                return
            if not options["out"]:
                raise CommandError(_("Give --out FILE.pdf, or --json for the figures."))
            report = report_build(kind=kind, unit=unit, year=options["year"], by=by)
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", None) or [str(error)]
            raise CommandError(" ".join(messages)) from error
        with report.pdf.open("rb") as pdf, open(options["out"], "wb") as out:
            out.write(pdf.read())
        self.stdout.write(
            _("%(kind)s %(year)s of %(unit)s written to %(file)s.")
            % {"kind": kind.name, "year": report.year, "unit": unit.name, "file": options["out"]}
        )
