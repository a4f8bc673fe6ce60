"""`manage.py import_drive_payments FILE --drive ID --user USERNAME [--dry-run]`: a drive's payments."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from donations.imports.drive_payments import drive_payments_import
from donations.models import SalaryDrive
from fund_portal.management.spreadsheet_import import SpreadsheetImportCommand
from fund_portal.money import format_vnd


class Command(SpreadsheetImportCommand):
    help = _(
        "Import the agencies' payments of a one-day-salary drive from an XLSX or CSV file: all rows or none."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--drive", type=int, required=True, help=_("The drive's id (see the admin)."))

    def run_import(self, *, uploaded, by, dry_run: bool, name: str, options: dict):
        drive = SalaryDrive.objects.visible_to(by).filter(pk=options["drive"]).first()
        if drive is None:
            raise CommandError(_("No drive with id %(id)s is in your scope.") % {"id": options["drive"]})
        return drive_payments_import(drive=drive, uploaded=uploaded, by=by, name=name, dry_run=dry_run)

    def report(self, result) -> None:
        self.stdout.write(
            _("%(n)d payments posted, %(total)s in all.")
            % {"n": result.rows, "total": format_vnd(result.total)}
            + (" " + _("(dry run: nothing was written)") if self.dry_run else "")
        )
