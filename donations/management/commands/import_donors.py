"""`manage.py import_donors FILE --user USERNAME [--dry-run]`: the donors import, from a shell."""

from django.utils.translation import gettext as _

from donations.imports.donors import donors_import
from fund_portal.management.spreadsheet_import import SpreadsheetImportCommand


class Command(SpreadsheetImportCommand):
    help = _("Import donors from an XLSX or CSV file (the donors template): all rows or none.")

    def run_import(self, *, uploaded, by, dry_run: bool, name: str, options: dict):
        return donors_import(uploaded=uploaded, by=by, name=name, dry_run=dry_run)

    def report(self, result) -> None:
        self.stdout.write(
            _("%(new)d donors added, %(updated)d updated.") % {"new": result.new, "updated": result.updated}
            + (" " + _("(dry run: nothing was written)") if self.dry_run else "")
        )
